import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Engine } from '../src/engine/engine.js';
import { Playbook } from '../src/playbook/schema.js';
import { compiled } from '../src/playbook/compile.js';
import { readEventLog } from '../src/runs/log.js';
import { runStarted, simulate, world } from '../tests/helpers/simulate.js';

/**
 * Time to fold a 10,000-event run log into the engine's state (what `labpilot resume` does
 * before continuing), from reading the file to the final snapshot. Target: < 200 ms.
 */
export async function run(): Promise<void> {
  const playbook = Playbook.parse({
    name: 'fold-bench',
    budgets: { attempts: 1000 },
    steps: [
      { id: 'fix', kind: 'prompt', prompt: 'fix it' },
      { id: 'stage', kind: 'run', command: 'run-stage', done_when: [{ check: 'exit_code', equals: 0 }] },
    ],
    remediations: [{ id: 'oom', when: { match: 'out of memory' }, then: { prompt: 'quantise' }, max_attempts: 1000 }],
  });
  const engine = new Engine(compiled(playbook, {}, {}));
  // Each stage prints 150 lines and fails with an OOM until the events reach 10,000.
  const { log } = simulate(
    engine,
    runStarted(),
    world({
      commandOutput: (_c, n) => ({
        lines: Array.from({ length: 150 }, (_, i) => (i === 149 ? 'torch.OutOfMemoryError: CUDA out of memory' : `episode ${n} step ${i}`)),
        exitCode: n < 64 ? 1 : 0,
        hits: n < 64 ? ['oom'] : [],
      }),
    }),
    10_000,
  );
  const dir = mkdtempSync(join(tmpdir(), 'labpilot-fold-'));
  const file = join(dir, 'events.jsonl');
  writeFileSync(file, log.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const times: number[] = [];
  const cpu: number[] = [];
  let folded = 0;
  for (let i = 0; i < 5; i++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const { events } = await readEventLog(file);
    engine.fold(events);
    times.push(performance.now() - t0);
    const d = process.cpuUsage(cpu0);
    cpu.push((d.user + d.system) / 1000);
    folded = events.length;
  }
  rmSync(dir, { recursive: true, force: true });
  const best = Math.min(...times);
  const median = times.sort((a, b) => a - b)[2]!;
  const cpuMedian = cpu.sort((a, b) => a - b)[2]!;
  console.log(
    `fold: ${folded} events read and folded in ${median.toFixed(1)} ms median, ${best.toFixed(1)} ms best, CPU ${cpuMedian.toFixed(1)} ms median (target < 200 ms) ${median < 200 ? 'OK' : 'MISSED'}`,
  );
}
