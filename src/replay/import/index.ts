import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InputError } from '../../errors.js';
import { ClaudeCodeConverter } from './claude-code.js';
import { CodexConverter } from './codex.js';
import { MessagesConverter } from './messages.js';
import { Emitter, RecordError, type Converter, type FollowUp, type ImportedEvent } from './emitter.js';
import { jsonElements } from './json-array.js';
import { readLines } from './lines.js';
import type { TranscriptFormat } from './detect.js';
import type { Usage } from '../../events/schema.js';
import { zeroUsage } from './usage.js';

export type { ImportedEvent } from './emitter.js';

export interface ImportProblem {
  where: string;
  message: string;
}

export interface ImportStats {
  format: TranscriptFormat;
  records: number;
  events: number;
  /** Events of the conversation itself (prompts, text, tool calls and results, turn ends), not notices. */
  conversation: number;
  /** Token usage and cost of all turns, as the transcript accounts them. */
  usage: Usage;
  costUsd: number;
  /** Records of another tool's format the reader passed over: how many, and the first one's type. */
  foreign?: { count: number; first: string };
  /** Malformed or truncated records skipped (lenient mode). */
  skipped: number;
  /** The first few problems, located. */
  problems: ImportProblem[];
}

export interface ImportOptions {
  format: Exclude<TranscriptFormat, 'labpilot'>;
  /** Stop at the first malformed record with a located error; otherwise skip and count. */
  strict: boolean;
}

const KEPT_PROBLEMS = 20;

interface RawRecord {
  text: string | undefined;
  line: number;
  col: number;
  /** The file ended inside this record. */
  truncated: boolean;
  tooLong?: boolean;
}

/**
 * Another tool's transcript as labpilot events, streamed: one record is read, converted and
 * handed on before the next is read, so a transcript of any size is imported in constant memory.
 * `stats` fills in as the events are consumed.
 */
export function importTranscript(file: string, o: ImportOptions): { events: Generator<ImportedEvent>; stats: ImportStats } {
  const stats: ImportStats = { format: o.format, records: 0, events: 0, conversation: 0, usage: zeroUsage(), costUsd: 0, skipped: 0, problems: [] };
  const out = new Emitter();
  const converter: Converter =
    o.format === 'claude-code' ? new ClaudeCodeConverter(out) : o.format === 'codex' ? new CodexConverter(out) : new MessagesConverter(out);
  const problem = (where: string, message: string) => {
    if (o.strict) throw new InputError(message, where);
    stats.skipped++;
    if (stats.problems.length < KEPT_PROBLEMS) stats.problems.push({ where, message });
  };
  const ready = (): ImportedEvent[] => {
    const q = out.drain();
    stats.events += q.length;
    for (const { event: e } of q) {
      if (e.type !== 'notice') stats.conversation++;
      if (e.type !== 'agent_turn_ended') continue;
      for (const k of Object.keys(stats.usage) as Array<keyof Usage>) stats.usage[k] += e.usage[k];
      stats.costUsd += e.costUsd;
    }
    return q;
  };
  function* read(path: string): Generator<ImportedEvent> {
    for (const rec of records(path, o.format)) {
      const json = parsed(path, rec, problem);
      if (json === undefined) continue;
      stats.records++;
      out.line = rec.line;
      try {
        converter.record(json);
      } catch (err) {
        if (!(err instanceof RecordError)) throw err;
        out.drain();
        problem(`${path}:${rec.line}:${rec.col}`, err.message);
        continue;
      }
      yield* ready();
      for (const f of converter.pending?.() ?? []) {
        const sub = subagentFile(path, f);
        if (!sub) {
          out.notice(`subagent ${f.id} of call ${f.callId}: its transcript is not beside this one`);
          continue;
        }
        converter.within?.(f.callId);
        yield* read(sub);
        converter.within?.(undefined);
        out.line = rec.line;
      }
    }
  }
  function* events(): Generator<ImportedEvent> {
    yield* read(file);
    converter.end();
    yield* ready();
    if (converter instanceof MessagesConverter && converter.dialect) stats.format = converter.dialect;
    if (converter instanceof ClaudeCodeConverter && converter.foreign > 0) stats.foreign = { count: converter.foreign, first: converter.firstForeign! };
  }
  return { events: events(), stats };
}

/** A record as JSON, or undefined with the problem reported where it is. */
function parsed(path: string, rec: RawRecord, problem: (where: string, message: string) => void): unknown {
  const where = `${path}:${rec.line}:${rec.col}`;
  if (rec.tooLong) return problem(where, 'record too long to read (over 64 MiB)');
  if (rec.text === undefined) return problem(where, 'truncated: the file ends inside a record');
  try {
    return JSON.parse(rec.text);
  } catch (err) {
    const at = errorPosition(rec, (err as Error).message);
    problem(`${path}:${at.line}:${at.col}`, rec.truncated ? 'truncated: the file ends inside this record' : `not JSON: ${(err as Error).message.replace(/ in JSON at position \d+.*$/, '')}`);
    return undefined;
  }
}

/**
 * Where Claude Code keeps a subagent's transcript: `<session>/subagents/agent-<id>.jsonl` beside
 * the session's file (2.1), or `agent-<id>.jsonl` in the same folder (2.0).
 */
function subagentFile(session: string, f: FollowUp): string | undefined {
  const dir = dirname(session);
  const stem = session.replace(/\.jsonl$/, '');
  const name = `agent-${f.id}.jsonl`;
  const candidates = [join(stem, 'subagents', name), join(dir, name)];
  if (f.sessionId) candidates.push(join(dir, f.sessionId, 'subagents', name));
  return candidates.find((c) => existsSync(c));
}

function* records(file: string, format: TranscriptFormat): Generator<RawRecord> {
  if ((format === 'anthropic' || format === 'openai') && isDocument(file)) {
    for (const el of jsonElements(file)) yield { text: el.text, line: el.line, col: el.col, truncated: el.text === undefined };
    return;
  }
  for (const l of readLines(file)) yield { text: l.text, line: l.n, col: 1, truncated: l.last, tooLong: l.cut };
}

/**
 * A JSON document rather than JSON lines: an array, or an object spread over lines. A request
 * body on one line reads as one JSONL record holding `messages`.
 */
function isDocument(file: string): boolean {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(4096);
  const n = readSync(fd, buf, 0, buf.length, 0);
  closeSync(fd);
  const head = buf.toString('utf8', 0, n).trimStart();
  return head.startsWith('[') || (head.split('\n')[0] ?? '').trim() === '{';
}

/** `at position N` of a JSON.parse error, as line and column in the file. */
function errorPosition(rec: RawRecord, message: string): { line: number; col: number } {
  const m = /at position (\d+)/.exec(message);
  const pos = m ? Number(m[1]) : Math.max(0, (rec.text ?? '').length - 1);
  const before = (rec.text ?? '').slice(0, pos);
  const nl = before.lastIndexOf('\n');
  const lines = before.split('\n').length - 1;
  return lines === 0 ? { line: rec.line, col: rec.col + pos } : { line: rec.line + lines, col: pos - nl };
}
