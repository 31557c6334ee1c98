import type { Event, EventInput } from '../../events/schema.js';
import type { z } from 'zod';
import { UsageTally } from './usage.js';

/** An event read from another tool's transcript, with where it came from. */
export interface ImportedEvent {
  event: Event;
  /** Line of the record it was read from. */
  line: number;
  /** Part of a subagent's side chain, not the main conversation with the person. */
  sidechain: boolean;
  /** The agent's call that started the subagent, when known. */
  parentCallId?: string;
}

/** A record of the right kind that cannot be read (a missing field, arguments that are not JSON). */
export class RecordError extends Error {}

/** A subagent's own transcript that a record names: read next, attributed to the call that started it. */
export interface FollowUp {
  id: string;
  callId: string;
  sessionId?: string;
}

export interface Converter {
  /** One parsed record (a JSONL line, or one message of a JSON document). */
  record(raw: unknown): void;
  end(): void;
  /** Subagent transcripts the records so far name, to read before the next record. */
  pending?(): FollowUp[];
  /** The records that follow come from the subagent transcript started by `callId` (undefined: the main one again). */
  within?(callId: string | undefined): void;
}

/** Validates a record against its schema; the first issue becomes the line's error. */
export function parse<T>(schema: z.ZodType<T>, raw: unknown): T {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new RecordError(`${issue.path.join('.') || '(record)'}: ${issue.message}`);
}

const EPOCH = '1970-01-01T00:00:00.000Z';

/**
 * Stamps the events a converter derives from one record and holds them until the importer
 * hands them on; records without a time take the last time seen.
 */
export class Emitter {
  private seq = 0;
  private ts = EPOCH;
  private queue: ImportedEvent[] = [];
  line = 0;
  sidechain = false;
  parentCallId: string | undefined;

  at(ts: string | undefined): void {
    if (ts) this.ts = ts;
  }

  emit(e: EventInput): void {
    const parent = this.sidechain && this.parentCallId ? { parentCallId: this.parentCallId } : {};
    this.queue.push({ event: { ...e, seq: this.seq++, ts: this.ts } as Event, line: this.line, sidechain: this.sidechain, ...parent });
  }

  notice(message: string): void {
    this.emit({ type: 'notice', level: 'info', message });
  }

  drain(): ImportedEvent[] {
    const q = this.queue;
    this.queue = [];
    return q;
  }
}

/**
 * The person's prompts cut a transcript into turns: each prompt is a `prompt_sent`, and the
 * agent's work until the next one ends in an `agent_turn_ended` with the usage it reported.
 */
export class Turns {
  private n = 0;
  private promptId = '';
  private open = false;
  /** Usage as the transcript reports it; taken when the turn ends. */
  readonly usage = new UsageTally();
  private stopReason = 'end_turn';
  private edited = false;
  model = '';

  constructor(private readonly out: Emitter) {}

  /** The current turn's number: 0 before the person's first prompt. */
  get turn(): number {
    return this.n;
  }

  prompt(text: string): void {
    this.close();
    this.n++;
    this.promptId = `u${this.n}`;
    this.open = true;
    this.out.emit({ type: 'prompt_sent', promptId: this.promptId, step: '', text });
  }

  stop(reason: string | null | undefined): void {
    if (reason) this.stopReason = reason;
  }

  /** A tool call of the agent, shell tools as labpilot's `bash`; a file-writing tool marks the turn. */
  call(callId: string, name: string, input: Record<string, unknown>): void {
    const tool = normaliseTool(name, input);
    // Older Codex applied patches through its shell tool: `["apply_patch", "*** Begin Patch ..."]`.
    if (isEditTool(name) || (tool.name === 'bash' && /^\s*apply_patch\b/.test(String(tool.input.command)))) this.edited = true;
    this.out.emit({ type: 'tool_call', turn: this.n, callId, name: tool.name, input: tool.input });
  }

  close(): void {
    if (!this.open) return;
    const { usage, costUsd } = this.usage.take();
    this.out.emit({ type: 'agent_turn_ended', turn: this.n, promptId: this.promptId, stopReason: this.stopReason, usage, costUsd, filesChanged: this.edited });
    this.open = false;
    this.stopReason = 'end_turn';
    this.edited = false;
  }
}

const SHELL_TOOLS = /^(bash|shell|shell_command|exec_command|exec|local_shell|container\.exec|run_shell_command|terminal)$/i;
const EDIT_TOOLS = /^(edit|multiedit|write|notebookedit|apply_patch|write_file|edit_file|str_replace_based_edit_tool)$/i;

/**
 * Shell tools of every agent become labpilot's `bash` with a `command` string, so their results
 * are command output to the trigger matcher exactly as in a labpilot run.
 */
export function normaliseTool(name: string, input: Record<string, unknown>): { name: string; input: Record<string, unknown> } {
  if (!SHELL_TOOLS.test(name)) return { name, input };
  const raw = input.command ?? input.cmd;
  let command = typeof raw === 'string' ? raw : '';
  if (Array.isArray(raw)) {
    const argv = raw.map(String);
    // `["bash", "-lc", "<script>"]`: the script is the command the person would recognise.
    command = argv.length === 3 && /^(ba|z)?sh$/.test(argv[0]!.replace(/^.*\//, '')) && /^-l?c$/.test(argv[1]!) ? argv[2]! : argv.join(' ');
  }
  return { name: 'bash', input: { ...input, command, tool: name } };
}

export function isEditTool(name: string): boolean {
  return EDIT_TOOLS.test(name);
}

/** Text of a tool result's content: a string, or text blocks. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((b: { type?: string; text?: unknown }) => (typeof b?.text === 'string' ? b.text : ''))
    .filter((t) => t !== '')
    .join('\n');
}
