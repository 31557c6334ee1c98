import { describe, expect, it } from 'vitest';
import { DIVISION_BY_ZERO, NOT_FINITE, ExprSyntaxError, evalExpr, explain, exprIdentifiers, formatExpr, parseExpr } from './expr.js';

const run = (src: string, vars: Record<string, number> = {}) => evalExpr(parseExpr(src), vars);

function syntaxError(src: string): ExprSyntaxError {
  try {
    parseExpr(src);
  } catch (err) {
    if (err instanceof ExprSyntaxError) return err;
    throw err;
  }
  throw new Error(`expected '${src}' not to parse`);
}

describe('parseExpr + evalExpr', () => {
  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 4 - 3', 3],
    ['8 / 4 / 2', 1],
    ['-2 * -3', 6],
    ['1e-3 * 1000', 1],
    ['.5 + 2.5E1', 25.5],
  ])('computes %s = %s', (src, expected) => {
    expect(run(src)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['success_rate >= 0.8', { success_rate: 0.86 }, true],
    ['success_rate >= 0.8', { success_rate: 0.5 }, false],
    ['success_rate >= 0.8 and inference_ms < 60', { success_rate: 0.9, inference_ms: 75 }, false],
    ['success_rate >= 0.8 && inference_ms < 60', { success_rate: 0.9, inference_ms: 45 }, true],
    ['a < 1 or b > 1', { a: 5, b: 2 }, true],
    ['a < 1 || b > 1', { a: 5, b: 0 }, false],
    ['not a == 1', { a: 2 }, true],
    ['!(a != 1)', { a: 1 }, true],
    ['a == 1 or b == 1 and c == 1', { a: 1, b: 0, c: 0 }, true],
    ['metrics.full.success_rate - metrics.baseline.success_rate > -0.05', {
      'metrics.full.success_rate': 0.9,
      'metrics.baseline.success_rate': 0.92,
    }, true],
    ['successes / episodes', { successes: 43, episodes: 50 }, 0.86],
  ])('%s with %j gives %s', (src, vars, expected) => {
    expect(run(src, vars)).toEqual({ ok: true, value: expected });
  });

  it('reports every missing identifier instead of treating it as 0', () => {
    expect(run('a > 0 and b > c', { b: 1 })).toEqual({ ok: false, missing: ['a', 'c'] });
    expect(run('x >= 0', { x: Number.NaN })).toEqual({ ok: false, missing: ['x'] });
  });

  it('counts a figure that is not finite as not measured, so Infinity passes no gate', () => {
    expect(run('x >= 0.8', { x: Number.POSITIVE_INFINITY })).toEqual({ ok: false, missing: ['x'] });
    expect(run('x < 60', { x: Number.NEGATIVE_INFINITY })).toEqual({ ok: false, missing: ['x'] });
  });

  it('fails arithmetic that overflows instead of comparing Infinity', () => {
    expect(run('x * x > 1', { x: 1e200 })).toEqual({ ok: false, missing: [NOT_FINITE] });
    expect(run('x - y < 0', { x: -1.7e308, y: 1.7e308 })).toEqual({ ok: false, missing: [NOT_FINITE] });
  });

  it('does not read inherited properties as values', () => {
    expect(run('constructor > 0', {})).toEqual({ ok: false, missing: ['constructor'] });
  });

  it('signals division by zero clearly', () => {
    expect(run('successes / episodes >= 0.8', { successes: 0, episodes: 0 })).toEqual({
      ok: false,
      missing: [DIVISION_BY_ZERO],
    });
  });

  it('lists identifiers once each', () => {
    expect(exprIdentifiers(parseExpr('a + b * a > metrics.x.y'))).toEqual(['a', 'b', 'metrics.x.y']);
  });
});

describe('syntax errors carry the column', () => {
  it.each([
    ['success_rate >=', 15, /ended/],
    ['a > > 1', 4, /found '>'/],
    ['(a + 1', 6, /expected '\)'/],
    ['a + 1)', 5, /unexpected '\)'/],
    ['a = 1', 2, /use '=='/],
    ['a < b < c', 6, /chained/],
    ['a $ b', 2, /unexpected character '\$'/],
    ['2abc > 1', 0, /bad number/],
    ['x < 1e999', 4, /number '1e999' is too large/],
    ['a b', 2, /unexpected 'b'/],
    ['', 0, /ended/],
  ])('%j fails at column %i', (src, column, message) => {
    const err = syntaxError(src);
    expect(err.column).toBe(column);
    expect(err.detail).toMatch(message);
    expect(err.exitCode).toBe(2);
  });
});

describe('formatExpr and explain', () => {
  it.each([
    ['a+b*c', 'a + b * c'],
    ['(a+b)*c', '(a + b) * c'],
    ['a-(b-c)', 'a - (b - c)'],
    ['-(a+b)', '-(a + b)'],
    ['not (a or b)', 'not (a or b)'],
    ['(a < b) == (c < d)', '(a < b) == (c < d)'],
    ['a && b || !c', 'a and b or not c'],
  ])('formats %s as %s, which parses back to the same tree', (src, expected) => {
    const node = parseExpr(src);
    expect(formatExpr(node)).toBe(expected);
    expect(parseExpr(formatExpr(node))).toEqual(node);
  });

  it('shows the values used in a gate', () => {
    const node = parseExpr('success_rate >= 0.8 and inference_ms < 60');
    expect(explain(node, { success_rate: 0.86, inference_ms: 41.234567891 })).toBe(
      'success_rate (0.86) >= 0.8 and inference_ms (41.2346) < 60',
    );
    expect(explain(node, { success_rate: 0.86 })).toBe('success_rate (0.86) >= 0.8 and inference_ms (missing) < 60');
  });
});
