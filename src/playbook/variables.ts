import { InputError } from '../errors.js';
import type { Playbook } from './schema.js';
import type { Path } from './yaml-positions.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `--var key=value` arguments; the value may itself contain `=`. The last of repeated keys wins. */
export function parseVarArgs(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const key = eq < 0 ? '' : arg.slice(0, eq).trim();
    if (!NAME.test(key)) throw new InputError(`bad --var '${arg}' (expected name=value)`);
    out[key] = arg.slice(eq + 1);
  }
  return out;
}

type Declared = NonNullable<Playbook['variables']>[string];
export type VariableType = NonNullable<Declared['type']>;

/** The declared type, else the type of the default, else string. */
export function variableType(decl: Declared): VariableType {
  if (decl.type) return decl.type;
  if (typeof decl.default === 'number') return 'number';
  if (typeof decl.default === 'boolean') return 'boolean';
  return 'string';
}

const SHAPES: Record<VariableType, RegExp> = {
  string: /[^]*/,
  number: /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/,
  integer: /^\s*[-+]?\d+\s*$/,
  boolean: /^(true|false)$/,
};

/** Edit distance, for "did you mean" on a misspelt --var name. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

export function closestName(name: string, names: string[]): string | undefined {
  const scored = names.map((n) => ({ n, d: distance(name.toLowerCase(), n.toLowerCase()) })).sort((a, b) => a.d - b.d);
  const best = scored[0];
  return best && best.d <= Math.max(1, Math.floor(name.length / 3)) ? best.n : undefined;
}

/**
 * Values of the declared variables: --var first, then the default (stringified). A variable is
 * required when it says `required: true`, or when it has no default and does not say
 * `required: false`; an optional variable without a value is the empty string, so templates
 * that mention it still render. Every value is checked against the variable's type; `where`
 * locates a declaration in the playbook for the message.
 */
export function resolveVariables(pb: Playbook, cli: Record<string, string>, where?: (at: Path) => string): Record<string, string> {
  const declared = pb.variables ?? {};
  const names = Object.keys(declared);
  for (const key of Object.keys(cli)) {
    if (!Object.hasOwn(declared, key)) {
      const near = closestName(key, names);
      const hint = near ? `did you mean '${near}'? ` : '';
      throw new InputError(`unknown variable '${key}' (${hint}declared: ${names.length > 0 ? names.join(', ') : 'none'})`);
    }
  }
  const vars: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, decl] of Object.entries(declared)) {
    const given = Object.hasOwn(cli, name) ? cli[name] : undefined;
    if (given !== undefined) vars[name] = given;
    else if (decl.default !== undefined) vars[name] = String(decl.default);
    else if (decl.required === false) vars[name] = '';
    else missing.push(name);
    const type = variableType(decl);
    const value = vars[name];
    // An optional variable left empty has no value to check.
    if (value === undefined || (value === '' && given === undefined)) continue;
    // `1e999` has a number's shape but reads as Infinity, which no budget or gate can use.
    const shaped = SHAPES[type].test(value);
    if (shaped && (type === 'string' || type === 'boolean' || Number.isFinite(Number(value)))) continue;
    const what = given !== undefined ? `--var ${name}='${value}'` : `the default of '${name}' ('${value}')`;
    const why = decl.type ? `declared type: ${type}` : `its default is ${JSON.stringify(decl.default)}`;
    const wrong = shaped ? `too large to be ${type === 'integer' ? 'an' : 'a'} ${type}` : `not ${type === 'integer' ? 'an' : 'a'} ${type}`;
    throw new InputError(`${what} is ${wrong} (${why})`, where?.(['variables', name]));
  }
  if (missing.length > 0) {
    throw new InputError(missing.map((m) => `missing required variable '${m}' (pass --var ${m}=...)`).join('; '));
  }
  return vars;
}
