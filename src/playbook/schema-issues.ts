import type { z } from 'zod';
import type { Path } from './yaml-positions.js';

type Issue = z.ZodError['issues'][number];

/** A problem located by a path into the YAML document. */
export interface PathProblem {
  path: Path;
  message: string;
  /** Point at the key of the last path segment rather than at its value. */
  atKey?: boolean;
  /** Character offset inside the string value at `path` (expressions, template references). */
  index?: number;
}

function valueAt(root: unknown, path: Path): { found: boolean; value: unknown } {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, seg)) return { found: false, value: undefined };
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return { found: true, value: cur };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `string '${v}'`;
  // YAML's `.inf` and `.nan` are numbers to YAML, but no figure labpilot can use.
  if (typeof v === 'number' && !Number.isFinite(v)) return `${String(v)}, which is not a finite number`;
  return `${typeof v} ${String(v)}`;
}

const show = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : String(v));

function label(path: Path): string {
  const last = [...path].reverse().find((s) => typeof s === 'string');
  return last === undefined ? 'playbook' : String(last);
}

/** Union failures: say what each branch wanted, preferring a branch-specific explanation. */
function unionMessage(issue: Extract<Issue, { code: 'invalid_union' }>, input: unknown): string {
  const flat = issue.errors.flat();
  const specific = flat.find((i) => i.code !== 'invalid_type');
  if (specific) return specific.message;
  const types = [...new Set(flat.flatMap((i) => (i.code === 'invalid_type' ? [String(i.expected)] : [])))];
  return `expected ${types.join(' or ')}, got ${describe(input)}`;
}

/** Turn zod issues into messages written for someone editing YAML, one or more per issue. */
export function schemaProblems(issues: Issue[], data: unknown): PathProblem[] {
  const out: PathProblem[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
    const at = valueAt(data, path);
    const name = label(path);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) out.push({ path: [...path, key], message: `unknown key '${key}'`, atKey: true });
        break;
      case 'invalid_type':
        out.push({
          path,
          message: at.found && at.value !== undefined
            ? `${name}: expected ${issue.expected}, got ${describe(at.value)}`
            : `missing field '${name}'`,
        });
        break;
      case 'invalid_value':
        out.push({
          path,
          message: issue.values.length === 1
            ? `${name}: expected ${show(issue.values[0])}, got ${describe(at.value)}`
            : `${name}: invalid value ${show(at.value)} (allowed: ${issue.values.map(String).join(', ')})`,
        });
        break;
      case 'invalid_union': {
        const disc = (issue as { discriminator?: string; options?: unknown[] }).discriminator;
        const options = ((issue as { options?: unknown[] }).options ?? []).map(String).join(', ');
        if (disc !== undefined && !at.found) out.push({ path, message: `missing field '${disc}' (one of: ${options})` });
        else if (disc !== undefined) out.push({ path, message: `${disc}: invalid value ${show(at.value)} (allowed: ${options})` });
        else out.push({ path, message: `${name}: ${unionMessage(issue, at.value)}` });
        break;
      }
      case 'custom':
        out.push({ path, message: issue.message });
        break;
      default:
        out.push({ path, message: `${name}: ${issue.message}` });
    }
  }
  return out;
}
