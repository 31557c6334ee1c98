import type { EventInput, Event, Usage, DecisionVerdict, Mode } from './events/schema.js';

/**
 * The ports through which the runner executes the engine's effects: the engine stays pure and
 * every effect on the world goes through one of these (docs/architecture.md). Production wires
 * real implementations (Anthropic SDK, execa, simple-git, the system clock); tests wire the same
 * implementations against local stand-ins, never function mocks.
 */

/** Appends an event to the stream; returns it stamped with seq and ts. */
export interface EventSink {
  emit(event: EventInput): Event;
}

export interface Clock {
  now(): number;
}

export interface AgentTurnRequest {
  promptId: string;
  text: string;
  /** Aborting ends the turn early (Esc in the UI, a budget, a kill). */
  signal?: AbortSignal;
}

export interface AgentTurnResult {
  stopReason: string;
  usage: Usage;
  costUsd: number;
  /** Final assistant text of the turn. */
  text: string;
}

/**
 * An LLM coding agent. A turn runs the model's tool loop to the end of its turn, emitting
 * agent_text / tool_call / tool_result events through the sink it was built with.
 */
export interface Agent {
  readonly name: string;
  readonly model: string;
  turn(req: AgentTurnRequest): Promise<AgentTurnResult>;
  /**
   * The same turn as an async generator of its tool events, which the caller appends and acts
   * on before pulling the next (events the backend streams itself, its text, still go to the
   * sink as they arrive). Optional: a backend without it is driven through `turn`.
   */
  run?(req: AgentTurnRequest): AsyncGenerator<EventInput, AgentTurnResult>;
}

export interface CommandRequest {
  commandId: string;
  command: string;
  cwd: string;
  timeoutMs?: number;
  env?: Record<string, string>;
  /** Called for every output line as it arrives, in order, without its terminator. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /**
   * Called instead with the output's bytes as they arrive, chunk by chunk, so they can be logged
   * byte for byte and read as a terminal shows them (src/output/streams.ts). A chunk is not
   * reused after the call.
   */
  onChunk?: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
  /** Called once the command's process (the leader of its own process group) exists. */
  onSpawn?: (pid: number) => void;
  signal?: AbortSignal;
}

export interface CommandResult {
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  timedOut: boolean;
}

export interface CommandRunner {
  run(req: CommandRequest): Promise<CommandResult>;
}

export interface Git {
  /** Clone `url` into `dir` (which must not exist) and check out a new branch. */
  clone(url: string, dir: string, branch: string, ref?: string): Promise<void>;
  /** Make `dir` a repository on `branch` if it is not one yet. */
  ensureRepo(dir: string, branch: string): Promise<void>;
  /** Commit every change in `dir`; undefined when nothing changed. */
  commitAll(dir: string, message: string): Promise<{ sha: string; files: string[] } | undefined>;
  push(dir: string, branch: string): Promise<boolean>;
}

export interface PromptQuestion {
  kind: 'prompt';
  promptId: string;
  step: string;
  text: string;
  origin: 'step' | 'remediation';
  remediation?: string;
  /** Why it was proposed: the matched line and the rule, for the person to judge. */
  reason?: string;
}

export interface AskQuestion {
  kind: 'ask';
  ref: string;
  step: string;
  text: string;
  /** A person must take over; on autopilot nobody can, so the run stops there, resumable. */
  escalate?: boolean;
}

export type Question = PromptQuestion | AskQuestion;

export interface Decision {
  verdict: DecisionVerdict;
  /** The edited or replacing text (edit / replace), or the person's answer to an ask. */
  text?: string;
  by: 'policy' | 'human' | 'recorded';
  reason?: string;
}

/** Who decides: the person (Ink UI), a budget policy (autopilot) or the recording (replay). */
export interface Decider {
  readonly mode: Mode;
  decide(question: Question): Promise<Decision>;
}
