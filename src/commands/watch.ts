import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Event } from '../events/schema.js';
import { ExitCode, verdictExitCode } from '../errors.js';
import { loadPlaybook } from '../playbook/load.js';
import { RunStore } from '../runs/store.js';
import type { AppView } from '../ui/launch.js';
import { createNotifier } from './notify.js';
import { choosePrinter } from './run.js';

export interface WatchOptions {
  runId: string;
  home?: string;
  json?: boolean;
  verbose?: boolean;
  notify?: string;
  /** The terminal app, read-only: it shows the run, it does not decide. */
  view?: AppView;
  out?: NodeJS.WritableStream;
  /** How often the log is read for new events. */
  pollMs?: number;
}

/**
 * `labpilot watch <id>`: follows a run started in another terminal (or on another schedule) by
 * tailing its events.jsonl, in the same app or as the same plain lines; read-only. Ends with the
 * run: its verdict's exit code, or 4 when the run's process is gone without a verdict.
 */
export async function watchCommand(o: WatchOptions): Promise<number> {
  const store = new RunStore(o.home ? resolve(o.home) : undefined);
  const paths = store.find(o.runId);
  const printer = o.view ? undefined : choosePrinter(o);
  const notifier = createNotifier({ url: o.notify, bell: Boolean(o.view), out: process.stdout, err: process.stderr });
  let stop = false;
  o.view?.readOnly?.(() => (stop = true));
  const tail = logTail(paths.log);
  let first = true;
  let idle = 0;
  // A run attached to Claude Code has no process of its own between hook calls: it ends with run_ended.
  let attached = false;
  try {
    for (;;) {
      const events = tail.read();
      if (first && o.view) {
        // The past at once (state folded, the last entries shown), then event by event.
        const started = events.find((e) => e.type === 'run_started');
        if (started?.type === 'run_started') o.view.setPlaybook((await loadPlaybook(started.playbookPath)).playbook);
        o.view.fold?.(events);
      }
      for (const e of events) {
        if (e.type === 'run_started' && e.agent === 'claude-code-hooks') attached = true;
        if (!first) o.view?.show?.(e);
        printer?.(e);
        // Only what happens from now on rings or posts; the past is already known.
        if (!first || e.type === 'run_started') notifier(e);
        if (e.type === 'run_ended') {
          await notifier.settled();
          return verdictExitCode[e.verdict];
        }
      }
      first = false;
      idle = events.length > 0 ? 0 : idle + 1;
      // The process that ran it is gone and nothing more was written: it was interrupted.
      if (stop || (idle >= 3 && !attached && !store.isLive(o.runId))) {
        if (!stop) (o.out ?? process.stdout).write(`run ${o.runId} is not running and has not ended (resume it with: labpilot resume ${o.runId})\n`);
        await notifier.settled();
        return stop ? ExitCode.passed : ExitCode.interrupted;
      }
      await new Promise((r) => setTimeout(r, o.pollMs ?? 200));
    }
  } finally {
    await o.view?.close();
  }
}

/** Reads whole lines appended to a log since the last read; a half-written last line waits. */
function logTail(path: string): { read(): Event[] } {
  let offset = 0;
  let rest = '';
  return {
    read() {
      const size = statSync(path).size;
      if (size <= offset) return [];
      const buf = Buffer.alloc(size - offset);
      const fd = openSync(path, 'r');
      try {
        readSync(fd, buf, 0, buf.length, offset);
      } finally {
        closeSync(fd);
      }
      offset = size;
      const lines = (rest + buf.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      return lines.flatMap((l) => {
        if (l.trim() === '') return [];
        try {
          const r = Event.safeParse(JSON.parse(l));
          return r.success ? [r.data] : [];
        } catch {
          return [];
        }
      });
    },
  };
}
