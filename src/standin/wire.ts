import { randomBytes } from 'node:crypto';
import type { ReplyBlock, UsageOverride } from './session-schema.js';

/**
 * The Messages API wire format: the Message object, the SSE event sequence of a streamed
 * message, and error bodies, shaped as the real API sends them (and as @anthropic-ai/sdk's
 * MessageStream accumulates them).
 */

export type WireBlock =
  | { type: 'text'; text: string; citations: null }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface WireUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  service_tier: 'standard';
}

export interface WireMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: WireBlock[];
  stop_reason: 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence' | 'refusal';
  stop_sequence: null;
  usage: WireUsage;
}

export interface SseEvent {
  event: string;
  data: unknown;
}

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Ids shaped like the real ones: a prefix and 24 base62 characters. */
export function wireId(prefix: 'msg' | 'toolu' | 'req'): string {
  const bytes = randomBytes(24);
  let s = '';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return `${prefix}_01${s}`;
}

/** Deterministic token estimate: about four characters a token, as for English text. */
export const estimateTokens = (chars: number): number => Math.max(1, Math.ceil(chars / 4));

export function buildMessage(opts: {
  model: string;
  reply: ReplyBlock[];
  requestChars: number;
  usage?: UsageOverride;
  stopReason?: WireMessage['stop_reason'];
}): WireMessage {
  const content: WireBlock[] = opts.reply.map((b) =>
    'text' in b
      ? { type: 'text', text: b.text, citations: null }
      : { type: 'tool_use', id: wireId('toolu'), name: b.tool_use.name, input: b.tool_use.input },
  );
  const o = opts.usage ?? {};
  return {
    id: wireId('msg'),
    type: 'message',
    role: 'assistant',
    model: opts.model,
    content,
    stop_reason: opts.stopReason ?? (content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn'),
    stop_sequence: null,
    usage: {
      input_tokens: o.input_tokens ?? estimateTokens(opts.requestChars),
      output_tokens: o.output_tokens ?? estimateTokens(JSON.stringify(opts.reply).length),
      cache_creation_input_tokens: o.cache_creation_input_tokens ?? 0,
      cache_read_input_tokens: o.cache_read_input_tokens ?? 0,
      service_tier: 'standard',
    },
  };
}

/** Splits a string into `parts` roughly equal pieces (at least one character each). */
export function chunk(s: string, parts: number): string[] {
  if (s.length === 0) return [''];
  const size = Math.max(1, Math.ceil(s.length / parts));
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

/**
 * The event sequence of a streamed message: message_start (content empty, output_tokens 1),
 * a ping, per block start / several deltas / stop, message_delta (stop_reason, final
 * output_tokens), message_stop. Text and tool input are split into several deltas so that
 * clients must accumulate them.
 */
export function streamEvents(msg: WireMessage): SseEvent[] {
  const events: SseEvent[] = [];
  const startUsage = { ...msg.usage, output_tokens: 1 };
  events.push({
    event: 'message_start',
    data: { type: 'message_start', message: { ...msg, content: [], stop_reason: null, stop_sequence: null, usage: startUsage } },
  });
  events.push({ event: 'ping', data: { type: 'ping' } });
  msg.content.forEach((block, index) => {
    const start = block.type === 'text' ? { type: 'text', text: '' } : { ...block, input: {} };
    events.push({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: start } });
    const deltas =
      block.type === 'text'
        ? chunk(block.text, 3).map((text) => ({ type: 'text_delta', text }))
        : // The real API opens tool input with an empty fragment, then the JSON in pieces.
          ['', ...chunk(JSON.stringify(block.input), 4)].map((partial_json) => ({ type: 'input_json_delta', partial_json }));
    for (const delta of deltas) events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta } });
    events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
  });
  events.push({
    event: 'message_delta',
    data: {
      type: 'message_delta',
      delta: { stop_reason: msg.stop_reason, stop_sequence: null },
      usage: { output_tokens: msg.usage.output_tokens },
    },
  });
  events.push({ event: 'message_stop', data: { type: 'message_stop' } });
  return events;
}

export const formatSse = (e: SseEvent): string => `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;

export type WireErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

export function errorBody(type: WireErrorType, message: string, requestId: string) {
  return { type: 'error', error: { type, message }, request_id: requestId };
}

/** The error type and message the real API sends with each fault status. */
export const faultErrors: Record<429 | 500 | 529, { type: WireErrorType; message: string }> = {
  429: { type: 'rate_limit_error', message: 'This request would exceed the rate limit for your organization. Please try again later.' },
  500: { type: 'api_error', message: 'Internal server error' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};
