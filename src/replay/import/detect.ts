import { closeSync, openSync, readSync } from 'node:fs';
import { InputError } from '../../errors.js';
import { readLines } from './lines.js';

export const TRANSCRIPT_FORMATS = ['labpilot', 'claude-code', 'codex', 'anthropic', 'openai'] as const;
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

const SNIFF_BYTES = 256 * 1024;
/** Lines looked at: a first line of any size (a pasted file, an image) does not end the search. */
const SNIFF_LINES = 20;
/** A line longer than this is passed over rather than held whole to be classified. */
const SNIFF_LINE_BYTES = 16 << 20;
const CLAUDE_TYPES = new Set(['user', 'assistant', 'summary', 'system', 'file-history-snapshot', 'queue-operation']);
const CODEX_TYPES = new Set(['session_meta', 'response_item', 'event_msg', 'turn_context', 'compacted']);

/**
 * Tells the format from the first records: labpilot's own events (`seq`, `ts`, `type`), a
 * Claude Code session (`parentUuid`, `sessionId`, user/assistant/summary lines), a Codex rollout
 * (`{timestamp, type, payload}`), or chat messages (`role`), as JSONL or as one JSON document.
 */
export function detectFormat(path: string): TranscriptFormat {
  let seen = 0;
  for (const line of readLines(path, SNIFF_LINE_BYTES)) {
    const f = line.cut ? undefined : classify(line.text);
    if (f) return f;
    if (++seen >= SNIFF_LINES) break;
  }
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(SNIFF_BYTES);
  const n = readSync(fd, buf, 0, SNIFF_BYTES, 0);
  closeSync(fd);
  const head = buf.toString('utf8', 0, n);
  if (head.trim() === '') throw new InputError(`${path} is empty: nothing to import`);
  // Not JSON per line: a JSON document (a messages array or a request body).
  if (/^\s*[[{]/.test(head)) return /"tool_calls"|"role"\s*:\s*"tool"/.test(head) ? 'openai' : 'anthropic';
  throw new InputError(`cannot tell the format of ${path} (use --format: ${TRANSCRIPT_FORMATS.join(', ')})`);
}

function classify(line: string): TranscriptFormat | undefined {
  let r: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(line);
    if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
    r = v as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const type = typeof r.type === 'string' ? r.type : undefined;
  if (typeof r.seq === 'number' && typeof r.ts === 'string' && type) return 'labpilot';
  if ('parentUuid' in r || 'sessionId' in r || (type && CLAUDE_TYPES.has(type) && !('role' in r))) return 'claude-code';
  if ((type && CODEX_TYPES.has(type) && 'payload' in r) || ('record_type' in r) || (typeof r.id === 'string' && typeof r.timestamp === 'string' && 'instructions' in r)) return 'codex';
  if (typeof r.role === 'string') return 'tool_calls' in r || r.role === 'tool' ? 'openai' : 'anthropic';
  return undefined;
}
