import { InputError } from '../errors.js';
import { formatExpr, parseExpr, type ExprNode } from './expr.js';

/**
 * Playbook variables in metric predicates (`success_rate >= {{min_success}}`) are values: the
 * parsed expression's `{{name}}` nodes are replaced by the variable's number, so no value can
 * change the expression's shape (`--var min_success='0.5)'` is a bad number, not a syntax error
 * in the gate). Binding happens when the playbook is compiled, before any run exists.
 */

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** Why the variable cannot be bound, or undefined when its value is a number. */
export function bindProblem(name: string, vars: Record<string, string>): string | undefined {
  if (!Object.hasOwn(vars, name)) return `undefined variable '${name}'`;
  const value = vars[name]!.trim();
  if (!NUMBER.test(value)) return `variable '${name}' is '${vars[name]}', not a number`;
  if (!Number.isFinite(Number(value))) return `variable '${name}' is '${vars[name]}', too large to be a number`;
  return undefined;
}

export function bindExpr(node: ExprNode, vars: Record<string, string>): ExprNode {
  switch (node.type) {
    case 'var': {
      const problem = bindProblem(node.name, vars);
      if (problem) throw new InputError(problem);
      return { type: 'num', value: Number(vars[node.name]!.trim()) };
    }
    case 'neg':
    case 'not':
      return { ...node, arg: bindExpr(node.arg, vars) };
    case 'bin':
      return { ...node, left: bindExpr(node.left, vars), right: bindExpr(node.right, vars) };
    default:
      return node;
  }
}

/** The variables an expression names, in order of appearance. */
export function exprVariables(node: ExprNode): string[] {
  if (node.type === 'var') return [node.name];
  if (node.type === 'neg' || node.type === 'not') return exprVariables(node.arg);
  if (node.type === 'bin') return [...new Set([...exprVariables(node.left), ...exprVariables(node.right)])];
  return [];
}

/** The expression's text with its variables bound: printed from the bound tree, not substituted. */
export function renderExpr(source: string, vars: Record<string, string>): string {
  return formatExpr(bindExpr(parseExpr(source), vars));
}
