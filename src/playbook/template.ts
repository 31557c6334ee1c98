import { InputError } from '../errors.js';
import { quoteAt, tightenFences } from './fence.js';

/**
 * `{{ name }}` templates in playbook strings and prompt files. Names may hold dots (`match.1`,
 * `metrics.full.success_rate`); `\{{` writes a literal `{{`. Anything between braces that is not
 * a name (`{{ a b }}`) is left as written, since prompts often quote code that uses braces.
 */
const REF = /\\\{\{|\{\{\s*([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*)\s*\}\}/g;

export interface TemplateRef {
  name: string;
  /** Offset of the opening `{{` in the template. */
  index: number;
  /** The reference exactly as written, e.g. `{{ repo }}`. */
  raw: string;
}

export function templateVariables(template: string): TemplateRef[] {
  const refs: TemplateRef[] = [];
  for (const m of template.matchAll(REF)) {
    if (m[1] !== undefined) refs.push({ name: m[1], index: m.index, raw: m[0] });
  }
  return refs;
}

/** POSIX single quoting: the result is always one literal word, whatever `s` holds. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Variables that carry text labpilot did not write (a command's output, the line a trigger
 * matched): quoted so they cannot escape their place in a prompt (see fence.ts).
 */
export const UNTRUSTED_VARS = new Set(['match', 'excerpt', ...Array.from({ length: 9 }, (_, i) => `match.${i + 1}`)]);

export interface RenderOptions {
  /** Quote each substituted value for a POSIX shell (for `run` commands). */
  shell?: boolean;
  /** `file:line:col` (or a step id) for the error message. */
  where?: string;
}

export function renderTemplate(template: string, vars: Record<string, string>, opts: RenderOptions = {}): string {
  const quoting = !opts.shell && [...UNTRUSTED_VARS].some((n) => Object.hasOwn(vars, n));
  const text = quoting ? tightenFences(template, vars, UNTRUSTED_VARS, REF) : template;
  return text.replace(REF, (whole, name: string | undefined, offset: number) => {
    if (name === undefined) return '{{';
    if (!Object.hasOwn(vars, name)) throw new InputError(`undefined variable '${name}'`, opts.where);
    const value = vars[name] as string;
    if (opts.shell) return shellQuote(value);
    return quoting && UNTRUSTED_VARS.has(name) ? quoteAt(text, offset, whole.length, value) : value;
  });
}
