import { InputError } from '../errors.js';

/**
 * A tiny expression language for metric predicates (`success_rate >= 0.8 and inference_ms < 60`).
 * Hand-parsed, never evaluated with `eval`, so a playbook cannot run code through a gate.
 *
 * Grammar, loosest first:
 *   or   := and (('or' | '||') and)*
 *   and  := not (('and' | '&&') not)*
 *   not  := ('not' | '!') not | cmp
 *   cmp  := add (('<' | '<=' | '>' | '>=' | '==' | '!=') add)?     -- no chaining: a < b < c is an error
 *   add  := mul (('+' | '-') mul)*
 *   mul  := unary (('*' | '/') unary)*
 *   unary:= '-' unary | number | identifier | '(' or ')'
 */

export type BinaryOp = '+' | '-' | '*' | '/' | '<' | '<=' | '>' | '>=' | '==' | '!=' | 'and' | 'or';

export type ExprNode =
  | { type: 'num'; value: number }
  | { type: 'ident'; name: string }
  /** `{{name}}`: a playbook variable, bound to its value when the playbook is compiled (expr-bind.ts). */
  | { type: 'var'; name: string }
  | { type: 'neg'; arg: ExprNode }
  | { type: 'not'; arg: ExprNode }
  | { type: 'bin'; op: BinaryOp; left: ExprNode; right: ExprNode };

/** `column` is the 0-based offset into the source where parsing failed. */
export class ExprSyntaxError extends InputError {
  constructor(
    readonly detail: string,
    readonly column: number,
  ) {
    super(`invalid expression: ${detail} (at column ${column + 1})`);
  }
}

interface Token {
  kind: 'num' | 'ident' | 'var' | 'op' | 'end';
  text: string;
  pos: number;
}

const NUMBER = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*/;
/** A variable reference, spelt as in templates; it is a value, never text spliced into the source. */
const VAR = /^\{\{\s*([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*)\s*\}\}/;
const OPS = ['<=', '>=', '==', '!=', '&&', '||', '<', '>', '+', '-', '*', '/', '(', ')', '!'];
/** Word and symbol spellings of the logical operators share one node type. */
const ALIAS: Record<string, string> = { '&&': 'and', '||': 'or', '!': 'not' };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const rest = src.slice(i);
    const num = NUMBER.exec(rest);
    if (num) {
      // `1.5e3x` or `2abc` would silently split into two tokens; reject them here.
      if (/^[A-Za-z_]/.test(rest.slice(num[0].length))) throw new ExprSyntaxError(`bad number '${rest.split(/[\s()]/)[0]}'`, i);
      // `1e999` reads as Infinity, against which every comparison is decided before any figure.
      if (!Number.isFinite(Number(num[0]))) throw new ExprSyntaxError(`number '${num[0]}' is too large`, i);
      tokens.push({ kind: 'num', text: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    const ref = VAR.exec(rest);
    if (ref) {
      tokens.push({ kind: 'var', text: ref[1]!, pos: i });
      i += ref[0].length;
      continue;
    }
    const id = IDENT.exec(rest);
    if (id) {
      const word = id[0];
      const isWord = word === 'and' || word === 'or' || word === 'not';
      tokens.push({ kind: isWord ? 'op' : 'ident', text: word, pos: i });
      i += word.length;
      continue;
    }
    const op = OPS.find((o) => rest.startsWith(o));
    if (!op) throw new ExprSyntaxError(ch === '=' ? `use '==' to compare` : `unexpected character '${ch}'`, i);
    tokens.push({ kind: 'op', text: ALIAS[op] ?? op, pos: i });
    i += op.length;
  }
  tokens.push({ kind: 'end', text: '', pos: src.length });
  return tokens;
}

/** Bounds that keep parsing and evaluation (both recursive) far inside the call stack. */
const MAX_TOKENS = 4000;
const MAX_NESTING = 100;

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }

  private take(): Token {
    return this.tokens[this.i++] as Token;
  }

  private isOp(...ops: string[]): boolean {
    const t = this.peek();
    return t.kind === 'op' && ops.includes(t.text);
  }

  parse(): ExprNode {
    const node = this.or();
    const t = this.peek();
    if (t.kind !== 'end') throw new ExprSyntaxError(`unexpected '${t.text}'`, t.pos);
    return node;
  }

  private binary(ops: string[], next: () => ExprNode): ExprNode {
    let left = next();
    while (this.isOp(...ops)) {
      const op = this.take().text as BinaryOp;
      left = { type: 'bin', op, left, right: next() };
    }
    return left;
  }

  private or = (): ExprNode => this.binary(['or'], this.and);
  private and = (): ExprNode => this.binary(['and'], this.not);

  private not = (): ExprNode => {
    if (this.isOp('not')) {
      const t = this.take();
      if (++this.depth > MAX_NESTING) throw new ExprSyntaxError(`nested more than ${MAX_NESTING} deep`, t.pos);
      return { type: 'not', arg: this.not() };
    }
    return this.cmp();
  };

  private cmp = (): ExprNode => {
    const left = this.add();
    const cmpOps = ['<', '<=', '>', '>=', '==', '!='];
    if (!this.isOp(...cmpOps)) return left;
    const op = this.take().text as BinaryOp;
    const node: ExprNode = { type: 'bin', op, left, right: this.add() };
    if (this.isOp(...cmpOps)) {
      const t = this.peek();
      throw new ExprSyntaxError(`comparisons cannot be chained; use 'and'`, t.pos);
    }
    return node;
  };

  private add = (): ExprNode => this.binary(['+', '-'], this.mul);
  private mul = (): ExprNode => this.binary(['*', '/'], this.unary);

  private unary = (): ExprNode => {
    const t = this.take();
    if (t.kind === 'op' && (t.text === '(' || t.text === '-') && ++this.depth > MAX_NESTING) throw new ExprSyntaxError(`nested more than ${MAX_NESTING} deep`, t.pos);
    if (t.kind === 'num') return { type: 'num', value: Number(t.text) };
    if (t.kind === 'ident') return { type: 'ident', name: t.text };
    if (t.kind === 'var') return { type: 'var', name: t.text };
    if (t.kind === 'op' && t.text === '-') return { type: 'neg', arg: this.unary() };
    if (t.kind === 'op' && t.text === '(') {
      const inner = this.or();
      const close = this.take();
      if (close.kind !== 'op' || close.text !== ')') throw new ExprSyntaxError(`expected ')'`, close.pos);
      this.depth--;
      return inner;
    }
    if (t.kind === 'end') throw new ExprSyntaxError('expected a number, a name or "(" but the expression ended', t.pos);
    throw new ExprSyntaxError(`expected a number, a name or "(" but found '${t.text}'`, t.pos);
  };
}

export function parseExpr(src: string): ExprNode {
  const tokens = tokenize(src);
  if (tokens.length > MAX_TOKENS) throw new ExprSyntaxError(`the expression has more than ${MAX_TOKENS} tokens`, tokens[MAX_TOKENS]!.pos);
  return new Parser(tokens).parse();
}

export type EvalResult = { ok: true; value: number | boolean } | { ok: false; missing: string[] };

/** Shown in `missing` when a division by zero makes the result meaningless. */
export const DIVISION_BY_ZERO = '<division by zero>';
/** Shown in `missing` when arithmetic overflows to a number that is not finite. */
export const NOT_FINITE = '<a result too large to be a number>';

export function exprIdentifiers(node: ExprNode): string[] {
  const names = new Set<string>();
  const walk = (n: ExprNode): void => {
    if (n.type === 'ident') names.add(n.name);
    else if (n.type === 'var') names.add(`{{${n.name}}}`);
    else if (n.type === 'neg' || n.type === 'not') walk(n.arg);
    else if (n.type === 'bin') {
      walk(n.left);
      walk(n.right);
    }
  };
  walk(node);
  return [...names];
}

class DivisionByZero extends Error {}
class NotFinite extends Error {}
class UnboundVariable extends Error {}

const num = (v: number | boolean): number => (typeof v === 'boolean' ? (v ? 1 : 0) : v);
const finite = (v: number): number => {
  if (!Number.isFinite(v)) throw new NotFinite();
  return v;
};
const truthy = (v: number | boolean): boolean => (typeof v === 'boolean' ? v : v !== 0);

function evaluate(n: ExprNode, vars: Record<string, number>): number | boolean {
  switch (n.type) {
    case 'num':
      return n.value;
    case 'ident':
      return vars[n.name] as number;
    case 'var':
      throw new UnboundVariable();
    case 'neg':
      return -num(evaluate(n.arg, vars));
    case 'not':
      return !truthy(evaluate(n.arg, vars));
    case 'bin': {
      const l = evaluate(n.left, vars);
      const r = evaluate(n.right, vars);
      switch (n.op) {
        case 'and':
          return truthy(l) && truthy(r);
        case 'or':
          return truthy(l) || truthy(r);
        case '+':
          return finite(num(l) + num(r));
        case '-':
          return finite(num(l) - num(r));
        case '*':
          return finite(num(l) * num(r));
        case '/':
          if (num(r) === 0) throw new DivisionByZero();
          return finite(num(l) / num(r));
        case '<':
          return num(l) < num(r);
        case '<=':
          return num(l) <= num(r);
        case '>':
          return num(l) > num(r);
        case '>=':
          return num(l) >= num(r);
        case '==':
          return num(l) === num(r);
        case '!=':
          return num(l) !== num(r);
      }
    }
  }
}

/**
 * Every identifier must have a finite value: a figure that was never measured fails loudly
 * (listed in `missing`) instead of counting as 0 and letting a gate pass by accident.
 */
export function evalExpr(node: ExprNode, vars: Record<string, number>): EvalResult {
  const missing = exprIdentifiers(node).filter((name) => {
    const v = Object.hasOwn(vars, name) ? vars[name] : undefined;
    return typeof v !== 'number' || !Number.isFinite(v);
  });
  if (missing.length > 0) return { ok: false, missing };
  try {
    return { ok: true, value: evaluate(node, vars) };
  } catch (err) {
    if (err instanceof DivisionByZero) return { ok: false, missing: [DIVISION_BY_ZERO] };
    if (err instanceof NotFinite) return { ok: false, missing: [NOT_FINITE] };
    throw err;
  }
}

export { formatExpr, explain } from './expr-format.js';
