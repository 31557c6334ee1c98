import { beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { labpilot, of, parseEvents, tempDir } from '../helpers/cli.js';
import { Event } from '../../src/events/schema.js';

/**
 * Several LIBERO suites at once: `labpilot demo --var suites=...` runs the RSD playbook with
 * each stage as one real `modal run` process (the stand-in) per suite, at the same time, gates
 * each suite on its own figures and merges the suites in one report.
 */
const SUITES = ['libero_spatial', 'libero_object'];
const STAGES = ['smoke', 'stability', 'full', 'baseline'];

describe('labpilot demo --var suites=libero_spatial,libero_object', () => {
  let code: number | null;
  let stdout: string;
  let events: Event[];
  let runDir: string;
  let home: string;
  let runId: string;

  beforeAll(async () => {
    home = tempDir();
    const r = await labpilot(['--home', home, 'demo', '--var', `suites=${SUITES.join(',')}`], { ANTHROPIC_API_KEY: '' }).done;
    if (r.code !== 0) console.error(r.stdout.slice(-4000), r.stderr);
    ({ code, stdout } = r);
    runId = readdirSync(join(home, 'runs'))[0]!;
    runDir = join(home, 'runs', runId);
    events = parseEvents(readFileSync(join(runDir, 'events.jsonl'), 'utf8'));
  }, 240_000);

  it('passes', () => {
    expect(code).toBe(0);
    expect(events.at(-1)).toMatchObject({ type: 'run_ended', verdict: 'passed' });
  });

  it('runs every stage as one modal run per suite, the processes of a stage running at the same time', () => {
    for (const stage of STAGES) {
      const entered = events.filter((e) => e.type === 'step_entered' && e.step === stage).at(-1)!;
      const attempt = events.slice(entered.seq);
      const started = attempt.filter(of('command_started')).filter((e) => e.step === stage);
      expect(started.map((e) => e.item).sort()).toEqual([...SUITES].sort());
      for (const e of started) expect(e.command).toContain(`--task-suite '${e.item}'`);
      // Every process of the stage started before the first of them exited.
      const firstExit = attempt.find((e) => e.type === 'command_exited' && e.step === stage)!;
      expect(Math.max(...started.map((e) => e.seq))).toBeLessThan(firstExit.seq);
    }
    // Their output interleaved in the log: two live processes, not one after the other.
    const full = events.filter(of('command_started')).filter((e) => e.step === 'full').map((e) => e.commandId);
    const owners = events.filter(of('command_output')).filter((e) => full.includes(e.commandId)).map((e) => e.commandId);
    const switches = owners.filter((id, i) => i > 0 && id !== owners[i - 1]).length;
    expect(switches).toBeGreaterThan(2);
  });

  it('judges each suite on its own figures, in the stage gates and the checklist', () => {
    const gates = events.filter(of('gate_judged'));
    for (const suite of SUITES) {
      const own = gates.filter((g) => g.check.endsWith(`[${suite}]`));
      expect(own.filter((g) => g.scope === 'step' && g.step === 'full').map((g) => g.check)).toContain(`success rate at least 0.8 [${suite}]`);
      expect(own.filter((g) => g.scope === 'checklist').map((g) => g.check)).toContain(`Success rate at least 0.8 with speculative decoding [${suite}]`);
    }
    const exits = events.filter(of('command_exited')).filter((e) => e.step === 'full' && e.exitCode === 0);
    const rates = Object.fromEntries(exits.map((e) => [e.item, e.metrics.success_rate]));
    for (const suite of SUITES) {
      const judged = gates.find((g) => g.scope === 'checklist' && g.check === `Success rate at least 0.8 with speculative decoding [${suite}]`)!;
      expect(judged.detail).toContain(`success_rate (${rates[suite]})`);
    }
  });

  it('prints a summary line per stage and suite', () => {
    for (const stage of STAGES) for (const suite of SUITES) expect(stdout).toMatch(new RegExp(`^  ${stage} \\[${suite}\\]\\s+exit 0\\s+\\d+ episodes`, 'm'));
  });

  it('merges the suites in one report: a row per suite with its own measured rates, and charts per suite', () => {
    const md = readFileSync(join(runDir, 'report.md'), 'utf8');
    const html = readFileSync(join(runDir, 'report.html'), 'utf8');
    const rate = (step: string, suite: string) =>
      events.filter(of('command_exited')).filter((e) => e.step === step && e.item === suite).at(-1)!.metrics.success_rate!;
    const pct = (r: number) => `${(r * 100).toFixed(1)}%`;
    expect(md).toContain('## Suites: RSD (speculative decoding) vs Baseline');
    for (const suite of SUITES) {
      expect(md).toMatch(new RegExp(`^\\| ${suite} \\| ${pct(rate('full', suite))} \\([\\d.]+-[\\d.]+\\) \\| ${pct(rate('baseline', suite))} \\([\\d.]+-[\\d.]+\\) \\| [\\d.]+ ms \\| [\\d.]+ ms \\| [\\d.]+x`, 'm'));
      expect(md).toContain(`## ${suite}: success per task`);
      expect(html).toContain(`data-suite="${suite}"`);
    }
  });

  it('replays to the same decisions, whichever parallel command printed its error first', async () => {
    const replay = await labpilot(['--home', home, 'replay', runId, '--check']).done;
    expect(replay.stdout).toContain('no differences');
    expect(replay.code).toBe(0);
  });
});
