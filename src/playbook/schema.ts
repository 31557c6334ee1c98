import { z } from 'zod';
import { BUILTIN_RULE_IDS, type RuleId } from '../agent/tools/shell-rule-ids.js';
import { SandboxSection } from '../sandbox/config.js';
import { parseDuration } from './duration.js';

/**
 * The playbook format. These schemas are the source of the TypeScript types (no type is written
 * twice by hand); `labpilot lint` maps their issues back to YAML positions. Objects are strict so
 * that a misspelt key is an error, not a silently ignored option.
 *
 * Strings may hold `{{name}}` references to variables; prompt files are Markdown with the same
 * references. In `run` commands a variable's value is shell-quoted when it is substituted.
 */

const Id = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'ids are lower-case letters, digits, "-" and "_"');

const DURATION = /^\d+(\.\d+)?(ms|s|m|h)$/;
/** "90s", "30m", "2h" or a number of seconds; finite in milliseconds (`1e308` seconds is not). */
export const Duration = z
  .union([z.number().positive(), z.string().regex(DURATION, 'a duration is a number of seconds or like "90s", "30m", "2h"')])
  // zod runs this on a value the union refused too: only a well-shaped one is measured.
  .refine((d) => !(typeof d === 'string' ? DURATION.test(d) : d > 0 && Number.isFinite(d)) || Number.isFinite(parseDuration(d)), 'a duration must be a finite number of seconds');

/** A predicate over metrics, e.g. `success_rate >= 0.8 and inference_ms < 60`. */
export const Expr = z.string().min(1);

export const Variable = z.strictObject({
  description: z.string().optional(),
  /** What a value must be; by default the type of `default` (a number default makes a number). */
  type: z.enum(['string', 'number', 'integer', 'boolean']).optional(),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  required: z.boolean().optional(),
});

/** A check of one kind; any check may carry a `name`, shown in place of the one made from it. */
const check = <K extends string, F extends z.ZodRawShape>(kind: K, fields: F) =>
  z.strictObject({ check: z.literal(kind), ...fields, name: z.string().optional() });

export const Check = z.discriminatedUnion('check', [
  check('file_exists', { path: z.string() }),
  check('file_matches', { path: z.string(), regex: z.string(), negate: z.boolean().optional() }),
  check('command', { run: z.string(), timeout: Duration.optional() }),
  /** Matches the output of the step's own command (run steps) or of `run` when given. */
  check('output_matches', { regex: z.string(), run: z.string().optional(), negate: z.boolean().optional() }),
  check('exit_code', { equals: z.number().int() }),
  /** A Python script from the playbook's folder or python/; exit 0 passes, its stdout is the detail. */
  check('python', { script: z.string(), args: z.array(z.string()).optional() }),
  /** Judged on figures parsed by labpilot from a run step's output, never on the agent's word. */
  check('metric', { expr: Expr, step: Id.optional() }),
  /**
   * Cross-evidence: a figure a gate uses against a second, independent signal of the same output
   * (per-episode lines against a printed total). `within`: the largest difference allowed, a
   * number or an expression over the figures (default 0). Fails quoting both and where each came from.
   */
  check('agree', { figure: Id, with: Id, within: z.union([z.number().min(0), Expr]).optional() }),
  /** The workspace differs from the pristine tree only inside the playbook's `editable` parts (src/evidence/). */
  check('editable_only', {}),
  /** The code now is the code the named run steps ran (the evaluated tree's hash); default: every run step. */
  check('code_ran', { steps: z.array(Id).optional() }),
  /** The results file a stage wrote agrees with the figures parsed from its log (src/results/cross-check.ts). */
  check('results_agree', {}),
  /**
   * A second model reads the diff of the editable parts against the playbook's rubric and answers
   * with findings. It can fail a gate, never pass one on its own.
   */
  check('reviewer', { rubric: z.string() }),
]);
export type Check = z.infer<typeof Check>;

/** How a figure is parsed from a run step's output, line by line. */
export const Metric = z.strictObject({
  name: Id,
  regex: z.string(),
  /**
   * last: the first capture group of the last matching line; count: matching lines; sum/mean/max/min
   * of group 1; wmean: the mean of group 1 weighted by group 2 (per-episode means over their queries).
   */
  agg: z.enum(['last', 'count', 'sum', 'mean', 'max', 'min', 'wmean']).default('last'),
  /** Where the figure comes from, in words ("the harness's total", "per-episode lines"): quoted when a cross-check fails. */
  from: z.string().optional(),
  /** Multiply the captured number (e.g. 100 to turn 0.976 into a percentage, 1000 for s -> ms). */
  scale: z.number().optional(),
});
export type Metric = z.infer<typeof Metric>;

/**
 * Stops a long evaluation stage while it streams, once its success gate can no longer be met
 * (src/results/early-stop.ts): the named metrics are the live counts, `target` the success rate
 * the gate needs, `total` the episodes the stage runs; `target` and `total` may use variables
 * and arithmetic ("{{full_trials}} * {{tasks_per_suite}}").
 */
export const EarlyStop = z.strictObject({
  /** Metric: successes so far. */
  successes: Id,
  /** Metric: episodes so far. */
  episodes: Id,
  /** Metric: episodes that crashed so far; all of the first five crashing stops the stage. */
  errors: Id.optional(),
  target: z.union([z.number().gt(0).lt(1), z.string().min(1)]),
  total: z.union([z.number().int().positive(), z.string().min(1)]).optional(),
  /** Bound on wrong stops of a stage whose tasks average at least target + margin (default 0.01). */
  alpha: z.number().gt(0).lt(1).optional(),
  /** Default 0.05: the test rejects tasks averaging target + margin or more. */
  margin: z.number().gt(0).lt(0.5).optional(),
  /** Episodes per task, run one task after another (LIBERO: trials per task); unset = one task. */
  task_episodes: z.union([z.number().int().positive(), z.string().min(1)]).optional(),
  /** Largest distance of a task's success rate from the stage's mean (default 0.15). */
  spread: z.number().min(0).lt(0.5).optional(),
});
export type EarlyStop = z.infer<typeof EarlyStop>;

const Regex = z.string().refine(
  (source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a valid JavaScript regular expression' },
);

const stepBase = {
  id: Id,
  title: z.string().optional(),
  /** What the report calls the stage, e.g. "RSD (speculative decoding)"; the id otherwise. */
  label: z.string().optional(),
  done_when: z.array(Check).optional(),
  max_attempts: z.number().int().positive().optional(),
  /** A step reached only through `goto` (e.g. a clarification) is not unreachable. */
  next: Id.optional(),
  on_fail: z.enum(['abort', 'continue']).optional(),
};

export const Step = z.discriminatedUnion('kind', [
  z.strictObject({ ...stepBase, kind: z.literal('prompt'), prompt: z.string() }),
  z.strictObject({
    ...stepBase,
    kind: z.literal('run'),
    command: z.string(),
    cwd: z.string().optional(),
    timeout: Duration.optional(),
    metrics: z.array(Metric).optional(),
    /** Derived figures computed after the run, e.g. `success_rate: successes / episodes`. */
    derive: z.record(z.string(), Expr).optional(),
    /** Stop the command early when this predicate over live metrics holds. */
    stop_when: Expr.optional(),
    early_stop: EarlyStop.optional(),
    /**
     * Fetch the results JSON the output names from a Modal volume and cross-check it against the
     * log (src/results/cross-check.ts). volume: default the `results_volume` variable, else
     * rsd-results; file_regex: group 1 is the file's path in the volume.
     */
    results: z.strictObject({ volume: z.string().optional(), file_regex: Regex.optional() }).optional(),
    stage: z.string().optional(),
    /**
     * Run the command once per value of a list, all at once: `{ var: suite, in: "{{suites}}" }`
     * binds `{{suite}}` to each comma-separated value of `suites`. Every run is gated on its own
     * figures; a retry reruns only the values that failed. An empty list runs the step once.
     */
    for_each: z.strictObject({ var: z.string().min(1), in: z.string() }).optional(),
  }),
  z.strictObject({ ...stepBase, kind: z.literal('check'), checks: z.array(Check).min(1) }),
]);
export type Step = z.infer<typeof Step>;

export const When = z
  .strictObject({
    /** A regex tested line by line. */
    match: z.string().optional(),
    in: z.array(z.enum(['command_output', 'agent_text', 'tool_output'])).optional(),
    exit_code: z.union([z.number().int(), z.literal('nonzero')]).optional(),
    metric: Expr.optional(),
    /** A regex over the names of the attempt's failed gates: fire when one of them failed. */
    gate: Regex.optional(),
    /** Fire only when the same error line was seen this many times in a row. */
    repeated: z.number().int().min(2).optional(),
    /**
     * The debugging loop: fire on any failed attempt of a run step that no other rule claims.
     * Always ranked below every rule without it, whatever its priority.
     */
    otherwise: z.literal(true).optional(),
  })
  .refine((w) => w.match !== undefined || w.exit_code !== undefined || w.metric !== undefined || w.gate !== undefined || w.repeated !== undefined || w.otherwise, {
    message: 'when needs at least one of match, exit_code, metric, gate, repeated, otherwise',
  });
export type When = z.infer<typeof When>;

const ACTIONS = ['prompt', 'run', 'ask', 'abort', 'escalate'] as const;
const retry = {
  /** After the action, redo this step (default: the step the trigger fired in). */
  retry: Id.optional(),
};

/** What a remediation does, one action per member: a new action is a new member, and every `switch` over `action` must handle it. */
export const ThenAction = z.discriminatedUnion('action', [
  /** A prompt file (relative to the playbook) or inline text; may use {{match}}, {{match.N}}, {{excerpt}}, {{error}}, {{command}}. */
  z.strictObject({ action: z.literal('prompt'), prompt: z.string(), ...retry }),
  z.strictObject({ action: z.literal('run'), run: z.string(), ...retry }),
  /** A question for the person; on autopilot it is skipped. */
  z.strictObject({ action: z.literal('ask'), ask: z.string(), ...retry }),
  z.strictObject({ action: z.literal('abort'), abort: z.string() }),
  /** Hand over to a person: asked when one is there; on autopilot the run stops, resumable, with this reason. */
  z.strictObject({ action: z.literal('escalate'), escalate: z.string(), ...retry }),
]);

/** As written in YAML: exactly one of the action keys, tagged with its action when parsed. */
export const Then = z
  .strictObject({ prompt: z.string().optional(), run: z.string().optional(), ask: z.string().optional(), abort: z.string().optional(), escalate: z.string().optional(), ...retry })
  .refine((t) => ACTIONS.filter((a) => t[a] !== undefined).length === 1, {
    message: `then needs exactly one of ${ACTIONS.join(', ')}`,
  })
  .transform((t) => ({ action: ACTIONS.find((a) => t[a] !== undefined)!, ...Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) }))
  .pipe(ThenAction);
export type Then = z.infer<typeof ThenAction>;

export const Remediation = z.strictObject({
  id: Id,
  description: z.string().optional(),
  /** How the report names the fix, e.g. "CUDA out of memory: main model in 4-bit". */
  title: z.string().optional(),
  /** The experimental condition the fix changes (e.g. the model's precision): flagged in the report beside the comparison. */
  changes_condition: z.string().optional(),
  when: When,
  then: Then,
  max_attempts: z.number().int().positive().default(2),
  /** Step ids this rule applies to; all steps when absent. */
  steps: z.array(Id).optional(),
  /** Higher wins when several rules match the same output. */
  priority: z.number().int().default(0),
});
export type Remediation = z.infer<typeof Remediation>;

export const Budgets = z.strictObject({
  turns: z.number().int().positive().optional(),
  tokens: z.number().int().positive().optional(),
  dollars: z.number().positive().optional(),
  wall_time: Duration.optional(),
  /** Default max_attempts for steps that do not set one. */
  attempts: z.number().int().positive().optional(),
});
export type Budgets = z.infer<typeof Budgets>;

/**
 * What the agent's shell may run, on top of the built-in deny list (src/agent/tools/shell-policy.ts):
 * `deny` refuses commands matching a regex, `ask` needs a person's approval (refused in
 * autopilot), `allow` lifts built-in rules by id (e.g. `git-push-force`).
 */
export const Policy = z.strictObject({
  shell: z
    .strictObject({
      deny: z.array(Regex).optional(),
      ask: z.array(Regex).optional(),
      allow: z.array(z.enum(BUILTIN_RULE_IDS as [RuleId, ...RuleId[]])).optional(),
    })
    .optional(),
});
export type Policy = z.infer<typeof Policy>;

/**
 * What the agent may change (src/evidence/): regions of files between two marker lines, and whole
 * files by glob (new ones included). Every run step runs on the pristine tree plus exactly these
 * changes; any other change is refused at the step's gate and the command does not run.
 */
export const Editable = z.strictObject({
  regions: z
    .array(z.strictObject({ path: z.string().min(1), begin: Regex, end: Regex }))
    .optional(),
  files: z.array(z.string().min(1)).optional(),
  /** What the agent writes that no stage loads (results, notes): never refused, not part of the evaluated tree. */
  outputs: z.array(z.string().min(1)).optional(),
});
export type Editable = z.infer<typeof Editable>;

export const ChecklistItem = z.strictObject({ item: z.string(), verify: Check });
export type ChecklistItem = z.infer<typeof ChecklistItem>;

export const Playbook = z.strictObject({
  name: Id,
  description: z.string().optional(),
  variables: z.record(z.string(), Variable).optional(),
  /** Clone this repository into the run's workspace; otherwise the workspace is --workdir. */
  workspace: z.strictObject({ repo: z.string(), ref: z.string().optional() }).optional(),
  agent: z
    .strictObject({ system: z.string().optional(), model: z.string().optional() })
    .optional(),
  budgets: Budgets.optional(),
  policy: Policy.optional(),
  /** What the OS sandbox lets the agent's shell and the stage commands reach (src/sandbox/config.ts). */
  sandbox: SandboxSection.optional(),
  steps: z.array(Step).min(1),
  editable: Editable.optional(),
  remediations: z.array(Remediation).optional(),
  checklist: z.array(ChecklistItem).optional(),
  /**
   * How command output is read: `prefixes` are regexes of log-record prefixes the built-in list
   * does not know, removed from the start of a line before figures and triggers read it (a
   * `message` named group, when present, is the message).
   */
  output: z.strictObject({ prefixes: z.array(Regex).optional() }).optional(),
  /** After a passed run: the report goes into this folder of the repository, committed and pushed. */
  save_results: z.strictObject({ dir: z.string(), push: z.boolean().default(true) }).optional(),
});
export type Playbook = z.infer<typeof Playbook>;
