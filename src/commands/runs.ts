import { resolve } from 'node:path';
import { RunStore } from '../runs/store.js';
import type { Event } from '../events/schema.js';
import { formatDuration } from '../ui/progress.js';

/** What `runs` adds to a summary: when it started, how long it ran, where it is, what it cost. */
export interface RunFacts {
  durationMs: number;
  /** The step entered last. */
  step?: string;
  dollars: number;
}

export function runFacts(events: Event[], live: boolean, now = Date.now()): RunFacts {
  const started = events.find((e) => e.type === 'run_started');
  const last = events.at(-1);
  const end = live ? now : Date.parse(last?.ts ?? '');
  const durationMs = started && Number.isFinite(end) ? Math.max(0, end - Date.parse(started.ts)) : 0;
  const step = events.findLast((e) => e.type === 'step_entered');
  const spent = events.findLast((e) => e.type === 'budget_spent');
  return { durationMs, step: step?.type === 'step_entered' ? step.step : undefined, dollars: spent?.type === 'budget_spent' ? spent.dollars : 0 };
}

/** `2026-12-03 09:41` in local time. */
const when = (iso: string) => {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '?';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
};

/** `labpilot runs`: one line per run with its status, start, duration, current step and cost. */
export async function runsCommand(o: { home?: string; json?: boolean; out?: NodeJS.WritableStream }): Promise<number> {
  const out = o.out ?? process.stdout;
  const store = new RunStore(o.home ? resolve(o.home) : undefined);
  // A damaged log is listed as damaged, with where, beside the others.
  const runs = await store.summaries(runFacts);
  if (o.json) {
    for (const r of runs) out.write(JSON.stringify(r) + '\n');
    return 0;
  }
  if (runs.length === 0) out.write('no runs yet\n');
  for (const r of runs) {
    const cols = [r.id, r.playbook.padEnd(20), r.status.padEnd(16), when(r.started), formatDuration(r.durationMs).padEnd(8), `step ${r.step ?? '–'}`.padEnd(14), `$${r.dollars.toFixed(2)}`, `${r.steps} step(s) passed`, r.reason];
    out.write(cols.join('  ').trimEnd() + '\n');
  }
  return 0;
}
