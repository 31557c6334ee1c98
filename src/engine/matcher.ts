import { InputError } from '../errors.js';
import type { Source } from '../events/schema.js';
import { requiredLiterals } from './matcher-literals.js';
import { MultiLiteral } from './matcher-search.js';

/**
 * All remediation triggers of a playbook compiled into one matcher, the one runs, replay and
 * `parse` use on every normalised line. Per source, the literals every rule's match must contain
 * go into one multi-literal search (Wu-Manber): a line holding none of them (nearly every line
 * of a run's output) is skipped after one pass that mostly jumps over its text, and only a line
 * with a hit has its rules run, in rule order. Rules with no provable literal run on every line.
 */

export interface MatchRule {
  id: string;
  /** A JS regex source, tested against one line without its terminator. */
  regex: string;
  /** Where the rule applies; absent means everywhere. */
  sources?: Source[];
}

export interface LineMatch {
  id: string;
  /** Capture groups 1..n, '' when a group did not take part. */
  groups: string[];
}

export interface Matcher {
  readonly ruleIds: readonly string[];
  /** Every rule the line matches, in rule order; `[]` (shared, never to be changed) when none does. */
  matchLine(line: string, source: Source): readonly LineMatch[];
  /**
   * Literals one of which every line a rule for `source` matches holds; null when a rule has
   * none to search for (then every line must be read), `[]` when no rule applies.
   */
  literals(source: Source): readonly string[] | null;
}

export interface MatcherOptions {
  /** Longer lines are matched on their beginning only. Default 64 KiB. */
  maxLineChars?: number;
}

interface Rule {
  id: string;
  re: RegExp;
  sources: ReadonlySet<Source> | null;
  literals: string[] | null;
}

interface Plan {
  /** Rules with literals, run only on a line where the search finds one of theirs. */
  literal: Rule[];
  search: MultiLiteral | null;
  /** For each of the search's literals, the indices in `literal` of the rules that hold it. */
  rulesOf: number[][];
  /** Rules without a literal to prefilter on, run on every line. */
  always: Rule[];
  /** Whether the two lists must be merged back into rule order. */
  mixed: boolean;
}

export const DEFAULT_MAX_LINE = 64 * 1024;
const NONE: readonly LineMatch[] = Object.freeze([]);

export function compileMatcher(rules: MatchRule[], opts: MatcherOptions = {}): Matcher {
  const cap = opts.maxLineChars ?? DEFAULT_MAX_LINE;
  const compiled: Rule[] = rules.map((r) => {
    let re: RegExp;
    try {
      re = new RegExp(r.regex);
    } catch (e) {
      throw new InputError(`trigger "${r.id}": invalid regex /${r.regex}/: ${(e as Error).message}`);
    }
    return { id: r.id, re, sources: r.sources ? new Set(r.sources) : null, literals: requiredLiterals(r.regex) };
  });
  const rank = new Map(compiled.map((r, i) => [r.id, i]));
  const plans = new Map<Source, Plan>();
  const planFor = (source: Source): Plan => {
    let plan = plans.get(source);
    if (!plan) {
      const applicable = compiled.filter((r) => !r.sources || r.sources.has(source));
      const literal = applicable.filter((r) => r.literals);
      const lits = [...new Set(literal.flatMap((r) => r.literals ?? []))];
      const rulesOf = lits.map((l) => literal.flatMap((r, i) => (r.literals!.includes(l) ? [i] : [])));
      const always = applicable.filter((r) => !r.literals);
      plan = { literal, search: lits.length > 0 ? new MultiLiteral(lits) : null, rulesOf, always, mixed: literal.length > 0 && always.length > 0 };
      plans.set(source, plan);
    }
    return plan;
  };

  const run = (rule: Rule, line: string, out: LineMatch[] | null): LineMatch[] | null => {
    const m = rule.re.exec(line);
    if (!m) return out;
    const groups: string[] = [];
    for (let g = 1; g < m.length; g++) groups.push(m[g] ?? '');
    (out ??= []).push({ id: rule.id, groups });
    return out;
  };

  return {
    ruleIds: compiled.map((r) => r.id),
    matchLine(full, source) {
      const plan = planFor(source);
      const line = full.length > cap ? full.slice(0, cap) : full;
      let out: LineMatch[] | null = null;
      if (plan.search) {
        // The rules whose literals the line holds, each run once, in rule order.
        const todo: number[] = [];
        plan.search.eachIn(line, (k) => {
          for (const i of plan.rulesOf[k]!) if (!todo.includes(i)) todo.push(i);
        });
        if (todo.length > 1) todo.sort((a, b) => a - b);
        for (const i of todo) out = run(plan.literal[i]!, line, out);
      }
      for (const rule of plan.always) out = run(rule, line, out);
      if (out && plan.mixed) out.sort((a, b) => rank.get(a.id)! - rank.get(b.id)!);
      return out ?? NONE;
    },
    literals(source) {
      const plan = planFor(source);
      return plan.always.length > 0 ? null : (plan.search?.literals ?? []);
    },
  };
}
