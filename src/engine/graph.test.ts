import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine, type EngineSnapshot } from './engine.js';
import { machineGraph, stateIdOf } from './graph.js';
import { Playbook } from '../playbook/schema.js';
import { compiled, compilePlaybook } from '../playbook/compile.js';
import { loadPlaybook } from '../playbook/load.js';
import { packageRoot } from '../package-root.js';
import type { Event } from '../events/schema.js';
import { runStarted, simulate, world } from '../../tests/helpers/simulate.js';

/** An engine that notes the machine state after every event. */
class Recording extends Engine {
  readonly visited: string[] = ['idle'];
  override next(snapshot: EngineSnapshot, event: Event) {
    const r = super.next(snapshot, event);
    const id = stateIdOf(r.snapshot.value);
    if (id !== this.visited.at(-1)) this.visited.push(id);
    return r;
  }
}

const doc = {
  name: 'shape',
  budgets: { turns: 6 },
  steps: [
    { id: 'fix', kind: 'prompt', prompt: 'Fix it.', done_when: [{ check: 'file_exists', path: 'x' }] },
    { id: 'verify', kind: 'run', command: 'test', max_attempts: 4 },
    { id: 'review', kind: 'check', checks: [{ check: 'file_exists', path: 'y' }] },
  ],
  remediations: [
    { id: 'oom', when: { match: 'out of memory' }, then: { prompt: 'quantise' }, steps: ['verify'], priority: 5 },
    { id: 'clean', when: { exit_code: 3 }, then: { run: 'rm -rf cache' }, steps: ['verify'] },
    { id: 'loop', when: { otherwise: true }, then: { prompt: 'fix this error' }, max_attempts: 2 },
  ],
  checklist: [{ item: 'done', verify: { check: 'file_exists', path: 'z' } }],
};

const worlds = {
  'everything passes': world({}),
  'gates fail at first': (() => {
    let n = 0;
    return world({ gate: () => n++ % 3 === 2 });
  })(),
  'an OOM, then a cache error, then an unknown one': world({
    commandOutput: (_c, n) =>
      [
        { lines: ['CUDA out of memory'], exitCode: 1, hits: ['oom'] },
        { lines: ['cache corrupt'], exitCode: 3 },
        { lines: ['FileNotFoundError: decoder.pt'], exitCode: 1 },
      ][n - 1] ?? { lines: ['ok'], exitCode: 0 },
  }),
  'a command that never passes': world({ commandOutput: () => ({ lines: ['KeyError: k'], exitCode: 1 }) }),
};

describe('the machine graph', () => {
  const pb = compiled(Playbook.parse(doc), {}, {});
  const graph = machineGraph(pb);
  const edges = new Set(graph.transitions.map((t) => `${t.from} -> ${t.to}`));
  const states = new Set(graph.states.map((s) => s.id));

  it.each(Object.entries(worlds))('holds every path a run takes: %s', (_name, respond) => {
    const engine = new Recording(pb);
    simulate(engine, runStarted(), respond);
    expect(engine.visited.at(-1)).toBe('ended');
    for (const id of engine.visited) expect(states).toContain(id);
    for (let i = 1; i < engine.visited.length; i++) expect(edges).toContain(`${engine.visited[i - 1]} -> ${engine.visited[i]}`);
  });

  it('leaves out the phases no path from the start reaches, and their transitions', () => {
    // The prompt step runs no command: only the run step's rule `clean` runs one.
    expect(states).not.toContain('steps.fix.running');
    expect(states).toContain('steps.verify.running');
    for (const t of graph.transitions) expect(states).toContain(t.from);
  });

  it("has the playbook's shape: a state per step and phase, remediations as labelled edges", async () => {
    const loaded = await loadPlaybook(path.join(packageRoot(), 'playbooks', 'rsd-phase3.yaml'));
    const rsd = machineGraph(compilePlaybook(loaded, { repo: 'r' }));
    const ids = rsd.states.map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['idle', 'steps.setup.deciding', 'steps.task1.agent', 'steps.smoke.running', 'steps.smoke.checking', 'steps.report.checking', 'checklist', 'ended']));
    const from = (state: string) => rsd.transitions.filter((t) => t.from === state);
    expect(from('steps.smoke.checking')).toEqual(
      expect.arrayContaining([
        { from: 'steps.smoke.checking', to: 'steps.stability.running', on: 'gate_judged', label: 'passed' },
        { from: 'steps.smoke.checking', to: 'steps.smoke.deciding', on: 'gate_judged', label: 'failed: cuda-oom' },
        { from: 'steps.smoke.checking', to: 'steps.smoke.deciding', on: 'gate_judged', label: 'failed: fix-this-error' },
        { from: 'steps.smoke.checking', to: 'steps.smoke.deciding', on: 'gate_judged', label: 'failed: needs-a-person' },
      ]),
    );
    expect(from('steps.smoke.agent')).toContainEqual({ from: 'steps.smoke.agent', to: 'steps.smoke.running', on: 'agent_turn_ended', label: 'after fix-this-error' });
  });
});
