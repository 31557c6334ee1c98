import { closeSync, openSync, readSync } from 'node:fs';
import { InputError } from '../../errors.js';
import { ClaudeCodeConverter } from './claude-code.js';
import { CodexConverter } from './codex.js';
import { MessagesConverter } from './messages.js';
import { Emitter, RecordError, type Converter, type ImportedEvent } from './emitter.js';
import { jsonElements } from './json-array.js';
import { readLines } from './lines.js';
import type { TranscriptFormat } from './detect.js';

export type { ImportedEvent } from './emitter.js';

export interface ImportProblem {
  where: string;
  message: string;
}

export interface ImportStats {
  format: TranscriptFormat;
  records: number;
  events: number;
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
  const stats: ImportStats = { format: o.format, records: 0, events: 0, skipped: 0, problems: [] };
  const out = new Emitter();
  const converter: Converter =
    o.format === 'claude-code' ? new ClaudeCodeConverter(out) : o.format === 'codex' ? new CodexConverter(out) : new MessagesConverter(out);
  const problem = (where: string, message: string) => {
    if (o.strict) throw new InputError(message, where);
    stats.skipped++;
    if (stats.problems.length < KEPT_PROBLEMS) stats.problems.push({ where, message });
  };
  function* events(): Generator<ImportedEvent> {
    for (const rec of records(file, o.format)) {
      const where = `${file}:${rec.line}:${rec.col}`;
      if (rec.tooLong) {
        problem(where, 'record too long to read (over 64 MiB)');
        continue;
      }
      if (rec.text === undefined) {
        problem(where, 'truncated: the file ends inside a record');
        continue;
      }
      let json: unknown;
      try {
        json = JSON.parse(rec.text);
      } catch (err) {
        const at = errorPosition(rec, (err as Error).message);
        problem(`${file}:${at.line}:${at.col}`, rec.truncated ? 'truncated: the file ends inside this record' : `not JSON: ${(err as Error).message.replace(/ in JSON at position \d+.*$/, '')}`);
        continue;
      }
      stats.records++;
      out.line = rec.line;
      try {
        converter.record(json);
      } catch (err) {
        if (!(err instanceof RecordError)) throw err;
        out.drain();
        problem(where, err.message);
        continue;
      }
      const ready = out.drain();
      stats.events += ready.length;
      yield* ready;
    }
    converter.end();
    const last = out.drain();
    stats.events += last.length;
    yield* last;
    if (converter instanceof MessagesConverter && converter.dialect) stats.format = converter.dialect;
  }
  return { events: events(), stats };
}

function* records(file: string, format: TranscriptFormat): Generator<RawRecord> {
  if ((format === 'anthropic' || format === 'openai') && isDocument(file)) {
    try {
      for (const el of jsonElements(file)) yield { text: el.text, line: el.line, col: el.col, truncated: el.text === undefined };
    } catch (err) {
      const m = /^(.*?:\d+:\d+): (.*)$/.exec((err as Error).message);
      throw m ? new InputError(m[2]!, m[1]) : err;
    }
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
