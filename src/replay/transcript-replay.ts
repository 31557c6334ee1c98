import type { CompiledPlaybook } from '../engine/context.js';
import type { Event } from '../events/schema.js';
import { playbookMatcher } from './match-rules.js';
import { loadPlaybook } from '../playbook/load.js';
import { compiled } from '../playbook/compile.js';
import { formatPlain } from '../commands/printer.js';
import { TRANSCRIPT_FORMATS, type TranscriptFormat } from './import/detect.js';
import { InputError } from '../errors.js';
import { importTranscript, type ImportStats } from './import/index.js';
import { Coverage } from './measure/coverage.js';
import { CoverageSummary, formatPoint } from './measure/report.js';

export interface TranscriptReplayOptions {
  file: string;
  format: Exclude<TranscriptFormat, 'labpilot'>;
  /** Measure the transcript against this playbook; without one the imported events are printed. */
  playbook?: string;
  strict: boolean;
  json?: boolean;
  write: (s: string) => void;
  err: NodeJS.WritableStream;
}

/**
 * Another tool's transcript through labpilot: imported into events as it streams, then either
 * printed (plain or NDJSON) or measured point by point against a playbook. The import's mode
 * (lenient by default, strict on request) and what it skipped are said on stderr.
 */
export async function replayTranscript(o: TranscriptReplayOptions): Promise<{ missed: number; stats: ImportStats }> {
  const pb = o.playbook ? await playbookForMeasuring(o.playbook) : undefined;
  const { events, stats } = importTranscript(o.file, { format: o.format, strict: o.strict });
  let missed = 0;
  if (!pb) {
    for (const { event, sidechain, parentCallId } of events) {
      // A subagent's events say so in JSON as in plain text: whose side chain, started by which call.
      const json = () => JSON.stringify(sidechain ? { ...event, sidechain, ...(parentCallId !== undefined && { parentCallId }) } : event);
      const text = o.json ? json() : plain(event, sidechain, parentCallId);
      if (text !== undefined) o.write(text + '\n');
    }
    nothingImported(o.file, stats);
  } else {
    const coverage = new Coverage(pb, playbookMatcher(pb.playbook));
    const summary = new CoverageSummary();
    const show = (p: ReturnType<Coverage['feed']>) => {
      if (!p) return;
      summary.add(p);
      o.write(o.json ? JSON.stringify({ point: p }) + '\n' : formatPoint(p));
    };
    let line = 0;
    for (const ev of events) {
      line = ev.line;
      show(coverage.feed(ev));
    }
    nothingImported(o.file, stats);
    show(coverage.end(line));
    o.write(o.json ? JSON.stringify({ summary: summary.json() }) + '\n' : summary.format());
    missed = summary.missedCount;
  }
  o.err.write(modeLine(o.file, stats, o.strict));
  return { missed, stats };
}

/** The plain console line of an event, with the person's prompts (a live run prints them as proposals). */
function plain(e: Event, sidechain: boolean, parent: string | undefined): string | undefined {
  const text = e.type === 'prompt_sent' ? `person: ${e.text.replace(/\s+/g, ' ').trim()}` : formatPlain(e);
  return text === undefined || !sidechain ? text : `  [subagent${parent ? ` of ${parent}` : ''}]${text}`;
}

/**
 * An import that yielded no conversation is bad input, not an empty success: one line says why
 * (and `--check` cannot pass on it).
 */
export function nothingImported(file: string, s: ImportStats): void {
  if (s.conversation > 0) return;
  const first = s.problems[0];
  const why = s.foreign
    ? `its records are not ${s.format}'s (${s.foreign.count} of another kind, the first of type '${s.foreign.first}'); is it another tool's transcript? (--format: ${TRANSCRIPT_FORMATS.filter((f) => f !== 'labpilot').join(', ')})`
    : s.skipped > 0 && first
      ? `no prompt, reply or tool call in it; ${s.skipped} record(s) skipped as malformed or of another format (first, ${first.where}: ${first.message})`
      : s.records === 0
        ? 'it holds no records'
        : `its ${s.records} record(s) hold no prompt, reply or tool call`;
  throw new InputError(`nothing imported from ${file} as ${s.format}: ${why}`);
}

function modeLine(file: string, s: ImportStats, strict: boolean): string {
  const u = s.usage;
  const head =
    `import of ${file} as ${s.format}: ${s.records} records, ${s.events} events; ` +
    `tokens ${u.inputTokens} in, ${u.outputTokens} out, ${u.cacheReadTokens} cache read, ${u.cacheWriteTokens} cache write, $${s.costUsd.toFixed(4)}`;
  if (strict) return `${head} (strict: a malformed line stops the import)\n`;
  const lines = [`${head} (lenient: ${s.skipped} malformed or truncated line(s) skipped; --strict stops at the first, located)`];
  for (const p of s.problems.slice(0, 5)) lines.push(`  skipped ${p.where}: ${p.message}`);
  if (s.problems.length > 5) lines.push(`  ... and ${s.skipped - 5} more`);
  return lines.join('\n') + '\n';
}

/** A playbook for measuring: variables nobody gave a value keep a visible stand-in. */
export async function playbookForMeasuring(path: string): Promise<CompiledPlaybook> {
  const loaded = await loadPlaybook(path);
  const pb = loaded.playbook;
  const vars = Object.fromEntries(Object.entries(pb.variables ?? {}).map(([k, d]) => [k, d.default === undefined ? `<${k}>` : String(d.default)]));
  return compiled(pb, loaded.prompts, vars);
}
