import { z } from 'zod';

/**
 * The one event stream (docs/architecture.md, "One event stream"). The run log, the plain and
 * --json console output, the Ink UI and replay all consume these events; nothing keeps state the
 * log lacks.
 * Every event carries `seq` (position in the log) and `ts` (ISO time from the Clock port).
 */

const base = {
  seq: z.number().int().nonnegative(),
  ts: z.string(),
  /** The chain (runs/chain.ts): the predecessor's seq, and a hash over the log up to this event. */
  prev: z.number().int().optional(),
  hash: z.string().optional(),
};

export const Usage = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cacheReadTokens: z.number().int().nonnegative().default(0),
  cacheWriteTokens: z.number().int().nonnegative().default(0),
});
export type Usage = z.infer<typeof Usage>;

export const Mode = z.enum(['interactive', 'autopilot', 'replay']);

/** From the playbook, for the report: stage labels and how remediations are named. */
export const RunAnnotations = z.object({
  labels: z.record(z.string(), z.string()),
  remediations: z.record(z.string(), z.object({ title: z.string().optional(), changesCondition: z.string().optional() })),
});
export type Mode = z.infer<typeof Mode>;

/** Where text that a trigger can match came from. */
export const Source = z.enum(['command_output', 'agent_text', 'tool_output']);
export type Source = z.infer<typeof Source>;

export const Verdict = z.enum(['passed', 'failed', 'aborted', 'budget_exhausted', 'error']);
export type Verdict = z.infer<typeof Verdict>;

export const DecisionVerdict = z.enum(['approve', 'edit', 'replace', 'skip', 'abort']);
export type DecisionVerdict = z.infer<typeof DecisionVerdict>;

/** One kind of event: the fields every event has, its type, and its own fields. */
function event<T extends string, S extends z.ZodRawShape>(type: T, shape: S) {
  return z.object({ ...base, type: z.literal(type), ...shape });
}

export const Event = z.discriminatedUnion('type', [
  event('run_started', {
    runId: z.string(),
    playbook: z.string(),
    playbookPath: z.string(),
    playbookHash: z.string(),
    vars: z.record(z.string(), z.string()),
    mode: Mode,
    workspace: z.string(),
    branch: z.string(),
    agent: z.string(),
    model: z.string(),
    /** Whether the agent's shell and the stage commands ran in the OS sandbox (`--no-sandbox` turns it off). */
    sandbox: z.object({ enabled: z.boolean(), detail: z.string() }).optional(),
    /** labpilot's version, and what the playbook says the report should call things. */
    labpilot: z.string().optional(),
    annotations: RunAnnotations.optional(),
  }),
  event('run_resumed', { runId: z.string(), fromSeq: z.number().int() }),
  /** The workspace is cloned (or made a repository) and on the run's branch, at commit `head`. */
  event('workspace_ready', { workspace: z.string(), head: z.string() }),
  event('step_entered', { step: z.string(), attempt: z.number().int().positive() }),
  event('prompt_proposed', {
    promptId: z.string(),
    step: z.string(),
    origin: z.enum(['step', 'remediation']),
    remediation: z.string().optional(),
    text: z.string(),
    reason: z.string().optional(),
  }),
  event('decision', {
    subject: z.enum(['prompt', 'ask']),
    ref: z.string(),
    verdict: DecisionVerdict,
    text: z.string().optional(),
    by: z.enum(['policy', 'human', 'recorded']),
    reason: z.string().optional(),
  }),
  event('prompt_sent', { promptId: z.string(), step: z.string(), text: z.string() }),
  event('agent_text', { turn: z.number().int(), text: z.string() }),
  event('tool_call', { turn: z.number().int(), callId: z.string(), name: z.string(), input: z.record(z.string(), z.unknown()) }),
  event('tool_result', { turn: z.number().int(), callId: z.string(), output: z.string(), isError: z.boolean() }),
  /** One reply of the model, whole, so the conversation can be rebuilt from the log (runs/conversation.ts). */
  event('agent_reply', {
    turn: z.number().int(),
    stopReason: z.string(),
    usage: Usage,
    content: z.array(
      z.discriminatedUnion('type', [
        z.object({ type: z.literal('text'), text: z.string() }),
        z.object({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: z.unknown() }),
      ]),
    ),
  }),
  /** The agent's own session (Claude Code), resumed by id after a kill. */
  event('agent_session', { agent: z.string(), sessionId: z.string() }),
  /** A risky shell command of the agent, and the person who let it run or refused it (autopilot refuses without asking; the tool's result says so). */
  /** A risky command of the agent's: approved or refused by the person, or refused on autopilot (`policy`). */
  event('shell_approval', { command: z.string(), reason: z.string(), approved: z.boolean(), by: z.enum(['human', 'policy']) }),
  event('agent_turn_ended', {
    turn: z.number().int(),
    promptId: z.string(),
    stopReason: z.string(),
    usage: Usage,
    costUsd: z.number().nonnegative(),
    filesChanged: z.boolean(),
  }),
  event('command_started', {
    commandId: z.string(),
    step: z.string(),
    command: z.string(),
    cwd: z.string(),
    /** The value of the step's `for_each` variable this command runs for (one of parallel runs). */
    item: z.string().optional(),
  }),
  event('command_output', { commandId: z.string(), stream: z.enum(['stdout', 'stderr']), line: z.string() }),
  event('command_exited', {
    commandId: z.string(),
    step: z.string(),
    /** The value of the step's `for_each` variable this command runs for (one of parallel runs). */
    item: z.string().optional(),
    exitCode: z.number().int().nullable(),
    signal: z.string().nullable(),
    durationMs: z.number().nonnegative(),
    /** Figures parsed from the output by the step's metric rules; gates are judged on these. */
    metrics: z.record(z.string(), z.number()),
    /** The last lines of output, kept for prompts that quote an excerpt. */
    tail: z.array(z.string()),
    /** The evaluated tree's hash the command ran on (src/evidence/); absent without `editable`. */
    tree: z.string().optional(),
    /** Set when labpilot refused to run the command (the reason is in `tail`). */
    refused: z.boolean().optional(),
  }),
  /**
   * The tree a run step is about to run, as labpilot assembled it: the pristine tree plus the
   * agent's changes inside the editable parts; `refused` lists every change outside them.
   */
  event('tree_evaluated', {
    step: z.string(),
    commandId: z.string(),
    /** sha256 of the evaluated tree (the event's own `hash` is the log's chain). */
    tree: z.string(),
    pristine: z.string(),
    changed: z.array(z.string()),
    refused: z.array(z.string()),
    /** The editable parts' diff against the pristine tree (bounded). */
    diff: z.string(),
  }),
  /** A reviewer model's reading of the editable diff: the question sent and the answer, with its findings. */
  event('review_done', {
    step: z.string(),
    question: z.string(),
    answer: z.string(),
    findings: z.array(z.string()),
    model: z.string(),
  }),
  event('trigger_matched', {
    remediation: z.string(),
    step: z.string(),
    /** The value of the step's `for_each` variable whose command printed the line. */
    item: z.string().optional(),
    source: Source,
    line: z.string(),
    groups: z.array(z.string()),
  }),
  event('remediation_chosen', {
    remediation: z.string(),
    step: z.string(),
    action: z.enum(['prompt', 'run', 'ask', 'abort', 'escalate']),
    attempt: z.number().int().positive(),
    why: z.string(),
    /** The for_each value it was chosen for, when the step fanned out. */
    item: z.string().optional(),
  }),
  event('gate_judged', { scope: z.enum(['step', 'checklist']), step: z.string().optional(), check: z.string(), passed: z.boolean(), detail: z.string() }),
  event('budget_spent', { turns: z.number().int(), tokens: z.number().int(), dollars: z.number(), wallMs: z.number() }),
  event('commit_made', { sha: z.string(), branch: z.string(), message: z.string(), files: z.array(z.string()) }),
  event('step_done', { step: z.string(), outcome: z.enum(['passed', 'failed']) }),
  event('notice', { level: z.enum(['info', 'warn', 'error']), message: z.string() }),
  event('run_ended', { verdict: Verdict, reason: z.string() }),
  /** Claude Code called one of labpilot's hooks (`labpilot attach`): what it said. */
  event('hook_called', {
    hook: z.string(),
    sessionId: z.string(),
    /** Stop: Claude is already continuing because a Stop hook blocked it. */
    stopHookActive: z.boolean().optional(),
    /** The tool of a PostToolUse call. */
    tool: z.string().optional(),
  }),
  /** What labpilot answered the hook: block the stop, add context for the model, let it be. */
  event('hook_answered', {
    hook: z.string(),
    answer: z.enum(['block', 'context', 'allow']),
    /** What the model reads (the block reason or the added context). */
    text: z.string().optional(),
    /** What the person is told. */
    message: z.string().optional(),
    /** Claude Code's usage and cost so far in the session, read from its transcript (Stop). */
    session: z.object({ usage: Usage, costUsd: z.number().nonnegative() }).optional(),
  }),
]);
export type Event = z.infer<typeof Event>;
export type EventType = Event['type'];
export type EventOf<T extends EventType> = Extract<Event, { type: T }>;

/** An event before the sink stamps it with `seq` and `ts`. */
type Unstamped<E> = E extends unknown ? Omit<E, 'seq' | 'ts' | 'prev' | 'hash'> : never;
export type EventInput = Unstamped<Event>;
