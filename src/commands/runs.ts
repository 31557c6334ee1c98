import { resolve } from 'node:path';
import { RunStore } from '../runs/store.js';

/** `labpilot runs`: one line per run with its status. */
export async function runsCommand(o: { home?: string; json?: boolean; out?: NodeJS.WritableStream }): Promise<number> {
  const out = o.out ?? process.stdout;
  const runs = await new RunStore(o.home ? resolve(o.home) : undefined).summaries();
  if (o.json) {
    for (const r of runs) out.write(JSON.stringify(r) + '\n');
    return 0;
  }
  if (runs.length === 0) out.write('no runs yet\n');
  for (const r of runs) {
    out.write(`${r.id}  ${r.playbook.padEnd(20)}  ${r.status.padEnd(16)}  ${r.steps} step(s) passed  ${r.reason}\n`);
  }
  return 0;
}
