import type { BinaryOp, ExprNode } from './expr.js';

/** Printing expressions back: canonical text, and gate details that show each figure's value. */

const PRECEDENCE: Record<BinaryOp, number> = {
  or: 1,
  and: 2,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
  '==': 4,
  '!=': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
};
const NOT_PREC = 3;
const UNARY_PREC = 7;

function precOf(n: ExprNode): number {
  if (n.type === 'bin') return PRECEDENCE[n.op];
  if (n.type === 'not') return NOT_PREC;
  if (n.type === 'neg') return UNARY_PREC;
  return 8;
}

function format(n: ExprNode, ident: (name: string) => string): string {
  const wrap = (child: ExprNode, min: number): string => {
    const s = format(child, ident);
    return precOf(child) < min ? `(${s})` : s;
  };
  switch (n.type) {
    case 'num':
      return String(n.value);
    case 'ident':
      return ident(n.name);
    case 'var':
      return `{{${n.name}}}`;
    case 'neg':
      return `-${wrap(n.arg, UNARY_PREC)}`;
    case 'not':
      return `not ${wrap(n.arg, NOT_PREC)}`;
    case 'bin': {
      const p = PRECEDENCE[n.op];
      // Left-associative: the right operand needs parentheses at equal precedence (a - (b - c)).
      // Comparisons do not chain, so a comparison operand of a comparison is always wrapped.
      return `${wrap(n.left, p === 4 ? p + 1 : p)} ${n.op} ${wrap(n.right, p + 1)}`;
    }
  }
}

/** Canonical text of an expression, with only the parentheses it needs. */
export function formatExpr(node: ExprNode): string {
  return format(node, (name) => name);
}

/** For gate details: `success_rate (0.86) >= 0.8`; an unmeasured figure shows as `(missing)`. */
export function explain(node: ExprNode, vars: Record<string, number>): string {
  return format(node, (name) => {
    const v = Object.hasOwn(vars, name) ? vars[name] : undefined;
    return typeof v === 'number' && Number.isFinite(v) ? `${name} (${formatNumber(v)})` : `${name} (missing)`;
  });
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}
