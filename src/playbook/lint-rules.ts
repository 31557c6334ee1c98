import { ExprSyntaxError, parseExpr } from '../engine/expr.js';
import type { PathProblem } from './schema-issues.js';
import { templateVariables } from './template.js';
import type { Path } from './yaml-positions.js';

/**
 * The checks zod cannot express: regexes compile, expressions parse, step references exist,
 * every step can be reached, every `{{variable}}` is defined. They read the raw YAML data
 * defensively, so they run (and report) even when the schema found problems elsewhere.
 */

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);

/** Always defined when a template is rendered. */
export const BUILTIN_VARIABLES = ['workspace', 'run_id', 'step', 'attempt', 'branch'] as const;
/** Also defined in a remediation's `then` texts and prompt files. */
export const REMEDIATION_VARIABLES = [
  'match',
  ...Array.from({ length: 9 }, (_, i) => `match.${i + 1}`),
  'excerpt',
  'error',
  'command',
  'failed_checks',
  'exit_code',
  'remediation',
] as const;

/** A problem inside a prompt file, by the reference written in the playbook. */
export interface PromptProblem {
  ref: string;
  index: number;
  message: string;
}

/** Every check object in the playbook with its path: step gates, check steps, the checklist. */
function checksOf(data: Obj): Array<[Path, Obj]> {
  const out: Array<[Path, Obj]> = [];
  list(data.steps).forEach((s, i) => {
    if (!isObj(s)) return;
    for (const field of ['done_when', 'checks']) {
      list(s[field]).forEach((c, k) => isObj(c) && out.push([['steps', i, field, k], c]));
    }
  });
  list(data.checklist).forEach((item, i) => {
    if (isObj(item) && isObj(item.verify)) out.push([['checklist', i, 'verify'], item.verify]);
  });
  return out;
}

function regexProblems(data: Obj, checks: Array<[Path, Obj]>): PathProblem[] {
  const regexes: Array<[Path, unknown]> = [];
  list(data.remediations).forEach((r, i) => isObj(r) && isObj(r.when) && regexes.push([['remediations', i, 'when', 'match'], r.when.match]));
  list(data.steps).forEach((s, i) =>
    isObj(s) && list(s.metrics).forEach((m, j) => isObj(m) && regexes.push([['steps', i, 'metrics', j, 'regex'], m.regex])),
  );
  for (const [path, c] of checks) regexes.push([[...path, 'regex'], c.regex]);
  const out: PathProblem[] = [];
  for (const [path, source] of regexes) {
    if (typeof source !== 'string') continue;
    try {
      new RegExp(source);
    } catch (err) {
      out.push({ path, message: (err as Error).message });
    }
  }
  return out;
}

/** Every metric predicate and figure formula in the playbook, with its path. */
export function expressionsOf(data: unknown): Array<[Path, string]> {
  if (!isObj(data)) return [];
  const exprs: Array<[Path, unknown]> = [];
  for (const [path, c] of checksOf(data)) if (c.check === 'metric') exprs.push([[...path, 'expr'], c.expr]);
  list(data.remediations).forEach((r, i) => isObj(r) && isObj(r.when) && exprs.push([['remediations', i, 'when', 'metric'], r.when.metric]));
  list(data.steps).forEach((s, i) => {
    if (!isObj(s)) return;
    exprs.push([['steps', i, 'stop_when'], s.stop_when]);
    if (isObj(s.derive)) for (const [k, v] of Object.entries(s.derive)) exprs.push([['steps', i, 'derive', k], v]);
    if (isObj(s.early_stop)) for (const k of ['target', 'total']) exprs.push([['steps', i, 'early_stop', k], s.early_stop[k]]);
  });
  return exprs.filter((e): e is [Path, string] => typeof e[1] === 'string' && e[1].length > 0);
}

function exprProblems(data: Obj): PathProblem[] {
  const exprs = expressionsOf(data);
  const out: PathProblem[] = [];
  for (const [path, source] of exprs) {
    try {
      // `{{variables}}` parse as values; they are bound to numbers when the playbook is compiled.
      parseExpr(source);
    } catch (err) {
      if (!(err instanceof ExprSyntaxError)) throw err;
      out.push({ path, index: err.column, message: `invalid expression: ${err.detail}` });
    }
  }
  return out;
}

function stepProblems(data: Obj, checks: Array<[Path, Obj]>): PathProblem[] {
  const out: PathProblem[] = [];
  const steps = list(data.steps).map((s) => (isObj(s) ? s : {}));
  const index = new Map<string, number>();
  steps.forEach((s, i) => {
    const id = str(s.id);
    if (id === undefined) return;
    if (index.has(id)) out.push({ path: ['steps', i, 'id'], message: `duplicate step id '${id}'` });
    else index.set(id, i);
  });
  const remIds = new Set<string>();
  list(data.remediations).forEach((r, i) => {
    const id = isObj(r) ? str(r.id) : undefined;
    if (id === undefined) return;
    if (remIds.has(id)) out.push({ path: ['remediations', i, 'id'], message: `duplicate remediation id '${id}'` });
    remIds.add(id);
  });

  const known = [...index.keys()].join(', ');
  const targets = new Set<string>();
  const ref = (path: Path, id: unknown, isTarget: boolean): void => {
    if (typeof id !== 'string') return;
    if (isTarget) targets.add(id);
    if (!index.has(id)) out.push({ path, message: `unknown step '${id}' (steps: ${known})` });
  };
  steps.forEach((s, i) => ref(['steps', i, 'next'], s.next, true));
  list(data.remediations).forEach((r, i) => {
    if (!isObj(r)) return;
    list(r.steps).forEach((id, k) => ref(['remediations', i, 'steps', k], id, false));
    if (isObj(r.then)) ref(['remediations', i, 'then', 'retry'], r.then.retry, true);
  });
  for (const [path, c] of checks) if (c.check === 'metric') ref([...path, 'step'], c.step, false);

  // Steps run in order; `next` replaces the fall-through to the following step.
  const reached = new Set<number>();
  for (let i = 0; i < steps.length && !reached.has(i); ) {
    reached.add(i);
    const next = str(steps[i]?.next);
    i = next === undefined ? i + 1 : (index.get(next) ?? steps.length);
  }
  steps.forEach((s, i) => {
    const id = str(s.id);
    if (!reached.has(i) && id !== undefined && !targets.has(id)) {
      out.push({ path: ['steps', i, 'id'], message: `unreachable step '${id}'` });
    }
  });
  return out;
}

function walkStrings(value: unknown, path: Path, visit: (path: Path, s: string) => void): void {
  if (typeof value === 'string') visit(path, value);
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, [...path, i], visit));
  else if (isObj(value)) for (const [k, v] of Object.entries(value)) walkStrings(v, [...path, k], visit);
}

function variableProblems(data: Obj, prompts: Map<string, string>, promptUses: Map<string, Path[]>) {
  const declared = isObj(data.variables) ? Object.keys(data.variables) : [];
  const base = new Set<string>([...BUILTIN_VARIABLES, ...declared]);
  const withRemediation = new Set<string>([...base, ...REMEDIATION_VARIABLES]);
  const defined = (name: string, set: Set<string>): boolean => set.has(name) || /^metrics\.[^.]/.test(name);
  const inThen = (path: Path): boolean => path[0] === 'remediations' && path[2] === 'then';

  const yaml: PathProblem[] = [];
  // for_each binds a declared variable, so every other use of it (a prompt, the checklist) has a value too.
  const bound = new Map<number, string>();
  list(data.steps).forEach((s, i) => {
    const name = isObj(s) && isObj(s.for_each) ? str(s.for_each.var) : undefined;
    if (name === undefined) return;
    bound.set(i, name);
    if (!declared.includes(name)) yaml.push({ path: ['steps', i, 'for_each', 'var'], index: 0, message: `for_each binds '${name}', which is not a declared variable` });
  });
  walkStrings(data, [], (path, s) => {
    const own = path[0] === 'steps' ? bound.get(path[1] as number) : undefined;
    const set = inThen(path) ? withRemediation : own !== undefined ? new Set([...base, own]) : base;
    for (const r of templateVariables(s)) {
      if (!defined(r.name, set)) yaml.push({ path, index: r.index, message: `undefined variable '${r.name}'` });
    }
  });
  const inPrompts: PromptProblem[] = [];
  for (const [ref, text] of prompts) {
    // A file used by a step as well as a remediation must make sense without a match.
    const set = (promptUses.get(ref) ?? []).every(inThen) ? withRemediation : base;
    for (const r of templateVariables(text)) {
      if (!defined(r.name, set)) inPrompts.push({ ref, index: r.index, message: `undefined variable '${r.name}'` });
    }
  }
  return { yaml, inPrompts };
}

export function ruleProblems(
  data: unknown,
  prompts: Map<string, string>,
  promptUses: Map<string, Path[]>,
): { yaml: PathProblem[]; inPrompts: PromptProblem[] } {
  if (!isObj(data)) return { yaml: [], inPrompts: [] };
  const checks = checksOf(data);
  const vars = variableProblems(data, prompts, promptUses);
  return {
    yaml: [...regexProblems(data, checks), ...exprProblems(data), ...stepProblems(data, checks), ...vars.yaml],
    inPrompts: vars.inPrompts,
  };
}

/** Prompt values (step `prompt`, remediation `then.prompt`, `agent.system`) with their paths. */
export function promptRefs(data: unknown): Array<[Path, string]> {
  if (!isObj(data)) return [];
  const out: Array<[Path, string]> = [];
  list(data.steps).forEach((s, i) => isObj(s) && typeof s.prompt === 'string' && out.push([['steps', i, 'prompt'], s.prompt]));
  list(data.remediations).forEach((r, i) => {
    if (isObj(r) && isObj(r.then) && typeof r.then.prompt === 'string') out.push([['remediations', i, 'then', 'prompt'], r.then.prompt]);
  });
  if (isObj(data.agent) && typeof data.agent.system === 'string') out.push([['agent', 'system'], data.agent.system]);
  return out;
}

/** Python check scripts with their paths. */
export function scriptRefs(data: unknown): Array<[Path, string]> {
  if (!isObj(data)) return [];
  return checksOf(data).flatMap(([path, c]): Array<[Path, string]> =>
    c.check === 'python' && typeof c.script === 'string' ? [[[...path, 'script'], c.script]] : [],
  );
}
