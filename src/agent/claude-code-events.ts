import type { Usage } from '../events/schema.js';
import type { EventSink } from '../ports.js';
import type { Redactor } from '../runs/redact.js';

/**
 * Claude Code's stream (the Agent SDK's messages, the same as `claude -p --output-format
 * stream-json`) read as labpilot events: assistant text and tool_use blocks become agent_text
 * and tool_call, the tool_result blocks of the user messages Claude Code sends back become
 * tool_result, and the closing `result` message gives the turn's stop reason, usage and cost.
 * Only the fields read here are typed, so a newer SDK's extra fields change nothing.
 */

interface Block {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: unknown;
  is_error?: boolean;
}

export interface StreamMessage {
  type: string;
  subtype?: string;
  session_id?: string;
  message?: { content?: string | Block[] };
  result?: string;
  stop_reason?: string | null;
  total_cost_usd?: number;
  is_error?: boolean;
  /** Set on the assistant message Claude Code makes up to report a failed API call. */
  error?: unknown;
  usage?: { input_tokens?: number; output_tokens?: number; cache_read_input_tokens?: number | null; cache_creation_input_tokens?: number | null };
  errors?: string[];
}

export interface TurnEnd {
  stopReason: string;
  usage: Usage;
  /** Claude Code's own reckoning of the turn's cost, side requests included. */
  costUsd: number;
  text: string;
  errors: string[];
  /** The turn failed (an API error Claude Code gave up on, a crash), whatever its subtype. */
  failed: boolean;
}

const textOf = (content: unknown): string => {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as Block[]).flatMap((b) => (b.type === 'text' && typeof b.text === 'string' ? [b.text] : [])).join('\n');
};

const asRecord = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };

/** Emits the events one stream message stands for; returns the turn's end on `result`. */
export function mapStreamMessage(msg: StreamMessage, turn: number, sink: EventSink, redactor: Redactor): TurnEnd | undefined {
  const blocks = Array.isArray(msg.message?.content) ? msg.message.content : [];
  if (msg.type === 'assistant') {
    // A failed call is not the model speaking: remediations matching agent text must not see it.
    if (msg.error !== undefined) {
      sink.emit({ type: 'notice', level: 'warn', message: `Claude Code: ${redactor.redact(textOf(blocks))}` });
      return undefined;
    }
    for (const b of blocks) {
      if (b.type === 'text' && b.text) sink.emit({ type: 'agent_text', turn, text: redactor.redact(b.text) });
      if (b.type === 'tool_use') sink.emit({ type: 'tool_call', turn, callId: b.id ?? '', name: b.name ?? '', input: redactor.deep(asRecord(b.input)) });
    }
    return undefined;
  }
  if (msg.type === 'user') {
    for (const b of blocks) {
      if (b.type !== 'tool_result') continue;
      sink.emit({ type: 'tool_result', turn, callId: b.tool_use_id ?? '', output: redactor.redact(textOf(b.content)), isError: b.is_error === true });
    }
    return undefined;
  }
  if (msg.type !== 'result') return undefined;
  const u = msg.usage ?? {};
  return {
    // A failed turn says why in its subtype (error_max_turns, error_during_execution, ...).
    stopReason: msg.subtype === 'success' ? (msg.stop_reason ?? 'end_turn') : (msg.subtype ?? 'error'),
    usage: {
      inputTokens: u.input_tokens ?? 0,
      outputTokens: u.output_tokens ?? 0,
      cacheReadTokens: u.cache_read_input_tokens ?? 0,
      cacheWriteTokens: u.cache_creation_input_tokens ?? 0,
    },
    costUsd: Math.max(0, msg.total_cost_usd ?? 0),
    text: redactor.redact(msg.result ?? ''),
    errors: (msg.errors ?? []).map((e) => redactor.redact(e)),
    failed: msg.is_error === true || msg.subtype === 'error_during_execution',
  };
}
