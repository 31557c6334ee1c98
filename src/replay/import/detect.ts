import { closeSync, openSync, readSync } from 'node:fs';
import { InputError } from '../../errors.js';

export const TRANSCRIPT_FORMATS = ['labpilot', 'claude-code', 'codex', 'anthropic', 'openai'] as const;
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

const SNIFF_BYTES = 256 * 1024;
const CLAUDE_TYPES = new Set(['user', 'assistant', 'summary', 'system', 'file-history-snapshot', 'queue-operation']);
const CODEX_TYPES = new Set(['session_meta', 'response_item', 'event_msg', 'turn_context', 'compacted']);

/**
 * Tells the format from the first records: labpilot's own events (`seq`, `ts`, `type`), a
 * Claude Code session (`parentUuid`, `sessionId`, user/assistant/summary lines), a Codex rollout
 * (`{timestamp, type, payload}`), or chat messages (`role`), as JSONL or as one JSON document.
 */
export function detectFormat(path: string): TranscriptFormat {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(SNIFF_BYTES);
  const n = readSync(fd, buf, 0, SNIFF_BYTES, 0);
  closeSync(fd);
  const head = buf.toString('utf8', 0, n);
  const lines = head.split('\n').filter((l) => l.trim() !== '');
  for (const line of lines.slice(0, 20)) {
    const f = classify(line);
    if (f) return f;
  }
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
