import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { RunStore } from '../runs/store.js';
import { InputError } from '../errors.js';
import { writer } from './printer.js';
import { Redactor } from '../runs/redact.js';
import { replayRun } from '../replay/run-replay.js';
import { formatRunReplay, runReplayJson } from '../replay/run-report.js';
import { detectFormat, TRANSCRIPT_FORMATS, type TranscriptFormat } from '../replay/import/detect.js';
import { replayTranscript } from '../replay/transcript-replay.js';

export interface ReplayOptions {
  /** A run id, a run folder, a run log, or another tool's transcript. */
  target: string;
  playbook?: string;
  check?: boolean;
  format?: string;
  strict?: boolean;
  json?: boolean;
  /** Step through the points on the terminal instead of printing (a TTY only). */
  step?: boolean;
  home?: string;
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
}

/**
 * `labpilot replay <run-id | file>`: a labpilot run is run again on its recorded answers and the
 * decisions compared; another tool's transcript is imported into labpilot's events and, with
 * --playbook, measured against the playbook. Returns the exit code: with --check, 1 when the
 * playbook's decisions differ from the recorded ones (or, for a transcript, when it misses a
 * follow-up the person sent).
 */
export async function replayCommand(o: ReplayOptions): Promise<number> {
  const out = o.out ?? process.stdout;
  // What is printed may quote commands' output and prompts: secrets never reach the terminal.
  const redactor = new Redactor(o.env ?? process.env);
  // `labpilot replay big.jsonl | head`: a reader that stops early is not an error.
  const print = writer(out);
  const write = (s: string) => print(redactor.redact(s));
  const format = parseFormat(o.format);
  const file = locate(o.target, o.home);
  const kind = format ?? detectFormat(file);
  if (o.step) {
    // The screen reads keys and redraws: it needs a person at a terminal on both ends.
    const tty = (out as { isTTY?: boolean }).isTTY && process.stdin.isTTY;
    if (!tty) throw new InputError('--step needs a terminal (stdout and stdin a TTY); drop --step to print the replay');
    if (o.json) throw new InputError('--step and --json do not go together');
    const { loadWalk } = await import('../ui/replay-load.js');
    const { stepThrough } = await import('../ui/replay-app.js');
    await stepThrough(await loadWalk({ file, format: kind, playbook: o.playbook, strict: o.strict ?? false }), o.env ?? process.env);
    return 0;
  }
  if (kind === 'labpilot') {
    const commandsDir = join(dirname(file), 'commands');
    const r = await replayRun({ log: file, commandsDir, playbook: o.playbook });
    write(o.json ? JSON.stringify(runReplayJson(r)) + '\n' : formatRunReplay(r));
    return o.check && r.differences.length > 0 ? 1 : 0;
  }
  const r = await replayTranscript({ file, format: kind, playbook: o.playbook, strict: o.strict ?? false, json: o.json, write, err: o.err ?? process.stderr });
  return o.check && r.missed > 0 ? 1 : 0;
}

function parseFormat(f: string | undefined): TranscriptFormat | undefined {
  if (f === undefined) return undefined;
  if (!(TRANSCRIPT_FORMATS as readonly string[]).includes(f)) {
    throw new InputError(`unknown --format '${f}' (one of: ${TRANSCRIPT_FORMATS.join(', ')})`);
  }
  return f as TranscriptFormat;
}

/** A file as given, a run folder's log, or a run id under the home. */
function locate(target: string, home?: string): string {
  if (existsSync(target)) {
    const st = statSync(target);
    if (st.isFile()) return resolve(target);
    const log = join(target, 'events.jsonl');
    if (st.isDirectory() && existsSync(log)) return resolve(log);
    throw new InputError(`${target} is a folder without a run log (events.jsonl)`);
  }
  return new RunStore(home ? resolve(home) : undefined).find(target).log;
}
