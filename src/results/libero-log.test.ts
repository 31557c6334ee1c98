import { describe, expect, it } from 'vitest';
import { parseLiberoOutput } from './libero-log.js';

const OUTPUT = `Task suite: libero_spatial

Task: pick up the bowl
Starting episode 1...
Success: True
# episodes completed so far: 1
# successes: 1 (100.0%)
Starting episode 2...
Episode inference time: 52.5 ms/step (20 queries)
Episode error: CUDA error: an illegal memory access
Success: False
# episodes completed so far: 2
# successes: 1 (50.0%)

Task: open the drawer
Starting episode 1...
Episode inference time: 61.0 ms/step (3 queries)
Success: False
# episodes completed so far: 3
# successes: 1 (33.3%)
Episode inference time: 49.0 ms/step (25 queries)
Total episodes: 3
Total successes: 1
Overall success rate: 0.3333 (33.3%)
Average inference time: 53.4 ms/step (draft 1.3 ms, main 52.0 ms)
Draft acceptance rate: n/a
Results saved to /results/phase3.json`.split('\n');

describe('parseLiberoOutput', () => {
  const f = parseLiberoOutput(OUTPUT);

  it('reads every episode with its task, outcome, crash and the timing printed after it', () => {
    expect(f.episodes).toEqual([
      { n: 1, task: 1, success: true, inferenceMs: 52.5, queries: 20 },
      { n: 2, task: 1, success: false, error: 'CUDA error: an illegal memory access', inferenceMs: 61, queries: 3 },
      { n: 3, task: 2, success: false, inferenceMs: 49, queries: 25 },
    ]);
    expect(f.live).toEqual({ episodes: 3, successes: 1, errors: 1 });
  });

  it('counts per task from the episodes when the output has no per-task summary', () => {
    expect(f.tasks).toEqual([
      { task: 1, description: 'pick up the bowl', episodes: 2, successes: 1 },
      { task: 2, description: 'open the drawer', episodes: 1, successes: 0 },
    ]);
  });

  it('reads the summary lines; n/a acceptance means nothing was drafted', () => {
    expect(f.suite).toBe('libero_spatial');
    expect(f.totals).toEqual({ episodes: 3, successes: 1, successRate: 0.3333 });
    expect(f.inference).toEqual({ meanMs: 53.4, draftMs: 1.3, mainMs: 52 });
    expect(f.acceptance).toBeNull();
    expect(f.resultsFile).toBe('/results/phase3.json');
  });

  it('prefers the final per-task lines over its own count', () => {
    const g = parseLiberoOutput([...OUTPUT, 'Task 1 success: 1/2 (50.0%)', 'Task 2 success: 0/1 (0.0%)', 'Task 3 success: 4/5 (80.0%)']);
    expect(g.tasks.map((t) => [t.task, t.successes, t.episodes])).toEqual([[1, 1, 2], [2, 0, 1], [3, 4, 5]]);
  });

  it("counts tasks as OpenVLA-OFT logs them: `Task:` before every episode, closed by its success rate", () => {
    const oft = (task: string, first: number, outcomes: boolean[]) =>
      outcomes.flatMap((ok, i) => [`Task: ${task}`, `Starting episode ${i + 1}...`, `Success: ${ok ? 'True' : 'False'}`, `# episodes completed so far: ${first + i}`]);
    const g = parseLiberoOutput([
      ...oft('put the bowl on the plate', 1, [true, false]),
      'Current task success rate: 0.5',
      // The next task may have the same description; its success rate line closed the last one.
      ...oft('put the bowl on the plate', 3, [true, true]),
      'Current task success rate: 1.0',
    ]);
    expect(g.tasks).toEqual([
      { task: 1, description: 'put the bowl on the plate', episodes: 2, successes: 1, successRate: 0.5 },
      { task: 2, description: 'put the bowl on the plate', episodes: 2, successes: 2, successRate: 1 },
    ]);
  });
});
