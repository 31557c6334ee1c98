import { beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { labpilot, ofType, parseEvents, tempDir } from '../helpers/cli.js';
import { Event } from '../../src/events/schema.js';

/**
 * `labpilot demo`, the embedded default: the RSD Phase 3 playbook on the sample experiment,
 * through the real binary, the real SDK against the Messages API stand-in and the modal
 * stand-in. What must hold is what the demo promises a new user.
 */
const STAGES = ['smoke', 'stability', 'full', 'baseline'];

describe('labpilot demo', () => {
  let code: number | null;
  let stdout: string;
  let events: Event[];
  const home = tempDir();

  beforeAll(async () => {
    const { done } = labpilot(['--home', home, 'demo'], { ANTHROPIC_API_KEY: '' });
    const r = await done;
    if (r.code !== 0) console.error(r.stdout.slice(-4000), r.stderr);
    code = r.code;
    stdout = r.stdout;
    const [runId] = readdirSync(join(home, 'runs'));
    events = parseEvents(readFileSync(join(home, 'runs', runId!, 'events.jsonl'), 'utf8'));
  }, 180_000);

  it('exits 0 with a passed verdict', () => {
    expect(code).toBe(0);
    expect(events.at(-1)).toMatchObject({ type: 'run_ended', verdict: 'passed' });
  });

  it('prints each stage with its measured figures, in words', () => {
    for (const stage of STAGES) expect(stdout).toMatch(new RegExp(`^  ${stage}\\s+exit 0\\s+\\d+ episodes, \\d+\\.\\d% succeeded, [\\d.]+ ms per step`, 'm'));
  });

  it('ends with what it found: RSD against the baseline with the interval, the fixes that fired, the report', () => {
    expect(stdout).toMatch(
      /^found: RSD \(speculative decoding\) against Baseline: \d+\.\d\dx faster \(95% interval \d+\.\d\d-\d+\.\d\dx over 500 and 500 episodes\); success \d+\.\d% \(95% interval \d+\.\d-\d+\.\d%\) against \d+\.\d% \(95% interval \d+\.\d-\d+\.\d%\)$/m,
    );
    expect(stdout).toMatch(/^fixes: \d+ remediation\(s\) fired: .*cuda-oom at smoke.*checkpoint-keys at smoke/m);
    expect(stdout).toMatch(new RegExp(`^report: ${home}/runs/\\S+/report\\.md$`, 'm'));
  });

  it('says it is a demo wherever the agent, modal and costs show, and keeps its folders with the runs', () => {
    expect(stdout.split('\n')[0]).toMatch(/^demo: a simulation\. The agent is a scripted stand-in/);
    expect(stdout).toMatch(/^run \S+: rsd-phase3 \(autopilot\) .* agent: scripted stand-in playing anthropic \S+ \(no model is called\)$/m);
    const turns = stdout.split('\n').filter((l) => /^ {2}turn \d+ ended/.test(l));
    expect(turns.length).toBeGreaterThan(4);
    for (const l of turns) expect(l).toMatch(/\$\d+\.\d{4} \(simulated cost\)$/);
    const modal = stdout.split('\n').filter((l) => /^ {2}(\[\w+\] )?\$ modal /.test(l));
    expect(modal.length).toBeGreaterThan(3);
    for (const l of modal) expect(l).toContain('[modal stand-in: local, no GPU]');
    const started = ofType(events, 'run_started')[0]!;
    expect(started.vars.repo!.startsWith(join(home, 'demo'))).toBe(true);
    expect(stdout).toMatch(new RegExp(`; pushed to ${started.vars.repo}$`, 'm'));
  });

  it('remediated at least two failures that the modal stand-in really printed', () => {
    const chosen = ofType(events, 'remediation_chosen');
    expect(chosen.length).toBeGreaterThanOrEqual(2);
    const triggers = ofType(events, 'trigger_matched').filter((t) => t.source === 'command_output');
    for (const c of chosen) {
      const trigger = triggers.find((t) => t.remediation === c.remediation && t.step === c.step);
      expect(trigger, c.remediation).toBeDefined();
      // The quoted line is in the command's own output log, not invented by a script.
      const sent = ofType(events, 'prompt_sent').find((p) => p.text.includes(`## Fix: ${c.remediation}`));
      expect(sent?.text).toContain(trigger!.line.trim());
    }
    expect(chosen.map((c) => c.remediation)).toEqual(expect.arrayContaining(['cuda-oom', 'checkpoint-keys']));
  });

  it('judged every stage gate on parsed figures, and ran every stage to a pass', () => {
    const exits = ofType(events, 'command_exited');
    for (const stage of STAGES) {
      const last = exits.filter((e) => e.step === stage).at(-1)!;
      expect(last.exitCode).toBe(0);
      expect(last.metrics.episodes).toBeGreaterThan(0);
    }
    const gates = ofType(events, 'gate_judged').filter((g) => g.scope === 'step' && STAGES.includes(g.step ?? ''));
    const metricGates = gates.filter((g) => /[<>=]/.test(g.detail));
    expect(metricGates.length).toBeGreaterThan(8);
    const full = exits.filter((e) => e.step === 'full').at(-1)!;
    expect(full.metrics.success_rate).toBeGreaterThanOrEqual(0.8);
    expect(full.metrics.inference_ms).toBeLessThan(60);
    expect(ofType(events, 'step_done').filter((s) => s.outcome === 'passed').map((s) => s.step)).toEqual(
      expect.arrayContaining(['task1', 'task2', 'task3', 'task4', ...STAGES, 'report']),
    );
  });

  it('ran every stage on the tree it assembled, one hash from full to the checklist, and says so in the report', () => {
    const trees = ofType(events, 'tree_evaluated');
    expect(trees.every((t) => t.refused.length === 0)).toBe(true);
    const ran = (step: string) => ofType(events, 'command_exited').filter((e) => e.step === step).at(-1)!.tree;
    expect(ran('full')).toMatch(/^[0-9a-f]{64}$/);
    expect(ran('baseline')).toBe(ran('full'));
    const codeRan = ofType(events, 'gate_judged').find((g) => g.check === 'The code at report time is the code the stages ran')!;
    expect(codeRan).toMatchObject({ passed: true, detail: expect.stringContaining(ran('full')!.slice(0, 12)) });
    // Every figure a stage's gates read was held to its second signal.
    for (const stage of STAGES) {
      const cross = ofType(events, "gate_judged").filter((g) => g.step === stage && /agrees? with/.test(g.check));
      expect(cross.length, stage).toBeGreaterThanOrEqual(5);
    }
    expect(ofType(events, 'review_done').at(-1)).toMatchObject({ step: 'full', findings: [] });
    const [runId] = readdirSync(join(home, 'runs'));
    const md = readFileSync(join(home, 'runs', runId!, 'report.md'), 'utf8');
    expect(md).toContain('## Provenance');
    expect(md).toContain(`| \`full\` | \`${ran('full')!.slice(0, 12)}\` |`);
    expect(md).toMatch(/^```+diff\n--- a\/RVQExperiment\/phase3\/modal_phase3_libero_eval\.py/m);
  });

  it('verified the whole checklist itself', () => {
    const checklist = ofType(events, 'gate_judged').filter((g) => g.scope === 'checklist');
    expect(checklist.length).toBeGreaterThanOrEqual(12);
    expect(checklist.filter((g) => !g.passed)).toEqual([]);
  });
});
