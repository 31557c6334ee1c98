import { Event, type EventInput } from '../../src/events/schema.js';

/**
 * Synthetic run logs of LIBERO evaluations, for tests of what reads them: the output lines are
 * those the OpenVLA-OFT harness prints (src/results/libero-log.ts), every event is validated
 * against the event schema, and time advances one second an event.
 */

export interface Evaluation {
  suite: string;
  trials: number;
  /** Successes of each task, out of `trials`. */
  successes: number[];
  /** Mean inference time of the n-th episode (1-based), in ms/step. */
  inferenceMs: (n: number) => number;
  /** Draft acceptance rate; null prints `n/a` (speculative decoding off). */
  acceptance: number | null;
}

/** The lines one evaluation prints, episode by episode, then its summary. */
export function liberoOutput(e: Evaluation): string[] {
  const out = [`Phase 3 evaluation: suite=${e.suite} trials/task=${e.trials}`, `LIBERO environment created: ${e.suite} (${e.successes.length} tasks)`, `Task suite: ${e.suite}`];
  const times: number[] = [];
  let done = 0;
  let ok = 0;
  e.successes.forEach((wins, task) => {
    out.push(`Task: ${e.suite} task ${task + 1}`);
    for (let k = 0; k < e.trials; k++) {
      const success = k < wins;
      done++;
      ok += success ? 1 : 0;
      const ms = e.inferenceMs(done);
      times.push(ms);
      out.push(
        `Starting episode ${k + 1}...`,
        `Success: ${success ? 'True' : 'False'}`,
        `# episodes completed so far: ${done}`,
        `# successes: ${ok} (${((ok / done) * 100).toFixed(1)}%)`,
        `Episode inference time: ${ms.toFixed(1)} ms/step (20 queries)`,
      );
    }
    out.push(`Current task success rate: ${wins / e.trials}`);
  });
  const mean = times.reduce((a, x) => a + x, 0) / times.length;
  const draft = e.acceptance === null ? 0 : 1.5;
  out.push(
    `Total episodes: ${done}`,
    `Total successes: ${ok}`,
    `Overall success rate: ${(ok / done).toFixed(4)} (${((ok / done) * 100).toFixed(1)}%)`,
    `Average inference time: ${mean.toFixed(1)} ms/step (draft ${draft.toFixed(1)} ms, main ${(mean - draft).toFixed(1)} ms)`,
    `Draft acceptance rate: ${e.acceptance === null ? 'n/a' : e.acceptance.toFixed(2)}`,
    ...e.successes.map((s, i) => `Task ${i + 1} success: ${s}/${e.trials} (${((s / e.trials) * 100).toFixed(1)}%)`),
    `Results saved to /results/phase3_${e.suite}_${e.trials}trials.json`,
  );
  return out;
}

/** Events stamped with their place in the log and a time, each checked against the schema. */
export class RunLog {
  readonly events: Event[] = [];
  private ids = 0;
  constructor(private at = Date.parse('2026-01-01T00:00:00Z')) {}

  add(...inputs: EventInput[]): this {
    for (const e of inputs) {
      this.at += 1000;
      this.events.push(Event.parse({ ...e, seq: this.events.length, ts: new Date(this.at).toISOString() }));
    }
    return this;
  }

  /**
   * One command per item of a run step, all running at once: their output interleaved line by
   * line, each exit once its lines are out (the shortest first). Returns the command ids.
   */
  parallel(step: string, runs: Array<{ item?: string; lines: string[]; exitCode?: number }>): string[] {
    const ids = runs.map(() => `c${++this.ids}`);
    runs.forEach((r, i) => this.add({ type: 'command_started', commandId: ids[i]!, step, command: `modal run eval.py --task-suite ${r.item ?? 'x'}`, cwd: '/ws', ...(r.item !== undefined && { item: r.item }) }));
    const longest = Math.max(...runs.map((r) => r.lines.length));
    for (let n = 0; n <= longest; n++) {
      runs.forEach((r, i) => {
        if (n < r.lines.length) this.add({ type: 'command_output', commandId: ids[i]!, stream: 'stdout', line: r.lines[n]! });
        else if (n === r.lines.length) {
          const exit = { type: 'command_exited', commandId: ids[i]!, step, exitCode: r.exitCode ?? 0, signal: null, durationMs: 1000 * (n + 1), metrics: {}, tail: r.lines.slice(-3) } as const;
          this.add(r.item === undefined ? exit : { ...exit, item: r.item });
        }
      });
    }
    return ids;
  }

  /** Gates of a step, per item (`<check> [<item>]`) when items are given. */
  gates(step: string, checks: Array<{ check: string; item?: string; passed?: boolean }>): this {
    return this.add(...checks.map((c) => ({ type: 'gate_judged' as const, scope: 'step' as const, step, check: c.item === undefined ? c.check : `${c.check} [${c.item}]`, passed: c.passed ?? true, detail: 'measured' })));
  }
}

export const SUITES = ['libero_spatial', 'libero_object'] as const;

/** Episode times with a little spread around a level, the same for every build. */
const around = (level: number) => (n: number) => level + ((n * 7) % 5) * 0.4 - 0.8;

const evaluation = (suite: string, o: Partial<Evaluation>): string[] =>
  liberoOutput({ suite, trials: 1, successes: [1, 1], inferenceMs: around(80), acceptance: null, ...o });

// Spatial has 4 tasks of 5 trials, object 3 tasks of 4: object finishes first in every stage.
const STAGES: Record<'full' | 'baseline', Record<string, string[]>> = {
  full: {
    libero_spatial: evaluation('libero_spatial', { trials: 5, successes: [5, 4, 5, 3], inferenceMs: around(50), acceptance: 0.71 }),
    libero_object: evaluation('libero_object', { trials: 4, successes: [4, 4, 3], inferenceMs: around(40), acceptance: 0.8 }),
  },
  baseline: {
    libero_spatial: evaluation('libero_spatial', { trials: 5, successes: [5, 5, 4, 4], inferenceMs: around(85) }),
    libero_object: evaluation('libero_object', { trials: 4, successes: [4, 3, 4], inferenceMs: around(80) }),
  },
};

/**
 * RSD phase 3 (smoke, full, baseline) over `suites` run at once, one command each, as a step
 * fanned out with `for_each` logs it: smoke runs out of GPU memory on the last suite and only
 * that suite is rerun; gates and the speedup checklist items are judged per suite. With
 * `fanOut` false, the same run of the first suite alone, without fan-out: no item anywhere.
 */
export function rsdPhase3Run(suites: readonly string[], fanOut = true): RunLog {
  const runs = fanOut ? suites.map((s) => ({ suite: s, item: s as string | undefined })) : [{ suite: suites[0]!, item: undefined }];
  const named = (check: string, item: string | undefined) => (item === undefined ? check : `${check} [${item}]`);
  const last = runs.at(-1)!;
  const log = new RunLog().add(
    { type: 'run_started', runId: 'r2', playbook: 'rsd-phase3', playbookPath: '/p.yaml', playbookHash: 'h', vars: fanOut ? { suites: suites.join(',') } : { suite: last.suite }, mode: 'autopilot', workspace: '/ws', branch: 'b', agent: 'anthropic', model: 'm' },
    { type: 'step_entered', step: 'smoke', attempt: 1 },
  );
  const ids = log.parallel(
    'smoke',
    runs.map((r) => (r === last ? { item: r.item, lines: ['Loading checkpoint shards', 'torch.OutOfMemoryError: CUDA out of memory.'], exitCode: 1 } : { item: r.item, lines: evaluation(r.suite, {}) })),
  );
  log
    .add(
      { type: 'trigger_matched', remediation: 'cuda-oom', step: 'smoke', ...(last.item !== undefined && { item: last.item }), source: 'command_output', line: 'torch.OutOfMemoryError: CUDA out of memory.', groups: [] },
      { type: 'notice', level: 'warn', message: `stopping ${ids.at(-1)} early: the process ran out of GPU memory` },
    )
    .gates('smoke', runs.map((r) => ({ check: 'exit code 0', item: r.item, passed: r !== last })))
    .add({ type: 'remediation_chosen', remediation: 'cuda-oom', step: 'smoke', action: 'prompt', attempt: 1, why: 'cuda-oom (priority 50)' }, { type: 'step_entered', step: 'smoke', attempt: 2 });
  log.parallel('smoke', [{ item: last.item, lines: evaluation(last.suite, {}) }]);
  log.gates('smoke', [{ check: 'exit code 0', item: last.item }]).add({ type: 'step_done', step: 'smoke', outcome: 'passed' });
  for (const step of ['full', 'baseline'] as const) {
    log.add({ type: 'step_entered', step, attempt: 1 });
    const ids = log.parallel(step, runs.map((r) => ({ item: r.item, lines: STAGES[step][r.suite]! })));
    log.add(...ids.map((id) => ({ type: 'notice' as const, level: 'info' as const, message: `results cross-check ${id}: rsd-results/${step}.json agrees with the log` })));
    log.gates(step, runs.map((r) => ({ check: 'success rate at least 0.8', item: r.item }))).add({ type: 'step_done', step, outcome: 'passed' });
  }
  return log.add(
    ...runs.map((r) => ({ type: 'gate_judged' as const, scope: 'checklist' as const, check: named('speedup at least 1.3x', r.item), passed: true, detail: 'measured' })),
    { type: 'gate_judged', scope: 'checklist', check: 'report written', passed: true, detail: 'report.md exists' },
    { type: 'budget_spent', turns: 3, tokens: 1000, dollars: 0.1, wallMs: 60_000 },
    { type: 'run_ended', verdict: 'passed', reason: 'every step and checklist item passed' },
  );
}
