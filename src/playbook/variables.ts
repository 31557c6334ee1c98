import { InputError } from '../errors.js';
import type { Playbook } from './schema.js';
import { didYouMean } from './suggest.js';

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

/**
 * Values of the declared variables: --var first, then the default (stringified). A variable is
 * required when it says `required: true`, or when it has no default and does not say
 * `required: false`; an optional variable without a value is the empty string, so templates
 * that mention it still render.
 */
export function resolveVariables(pb: Playbook, cli: Record<string, string>): Record<string, string> {
  const declared = pb.variables ?? {};
  const names = Object.keys(declared);
  for (const key of Object.keys(cli)) {
    if (!Object.hasOwn(declared, key)) {
      throw new InputError(`unknown variable '${key}'${didYouMean(key, names)} (declared: ${names.length > 0 ? names.join(', ') : 'none'})`);
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
  }
  if (missing.length > 0) {
    throw new InputError(missing.map((m) => `missing required variable '${m}' (pass --var ${m}=...)`).join('; '));
  }
  return vars;
}
