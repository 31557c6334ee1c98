import { describe, expect, it } from 'vitest';
import { Engine } from './engine.js';
import { excerptLines } from './excerpt.js';
import { Playbook } from '../playbook/schema.js';
import { compiled } from '../playbook/compile.js';
import { Coverage } from '../replay/measure/coverage.js';
import { playbookMatcher } from '../replay/match-rules.js';
import type { Event, EventInput } from '../events/schema.js';
import { runStarted, simulate, world } from '../../tests/helpers/simulate.js';
import { SIGNATURE_CASES, type SignatureCase } from '../../tests/fixtures/error-signatures.js';

/**
 * "The same error twice in a row" is decided alike by the live engine and by transcript
 * coverage: on each pair of the shared table, both fire the `repeated` rule or neither does.
 */
const pb = compiled(
  Playbook.parse({
    name: 'same-error',
    steps: [{ id: 'stage', kind: 'run', command: 'python3 eval.py', max_attempts: 5 }],
    remediations: [
      { id: 'stuck', when: { repeated: 2 }, then: { abort: 'the same error twice' }, priority: 10 },
      { id: 'again', when: { exit_code: 'nonzero' }, then: { prompt: 'Fix it.' }, max_attempts: 5 },
    ],
  }),
  {},
  {},
);

function live({ a, b }: SignatureCase): string[] {
  const outputs = [a, b];
  const { log } = simulate(new Engine(pb), runStarted(), world({ commandOutput: (_c, n) => ({ lines: [], tail: excerptLines(outputs[Math.min(n, 2) - 1]!), exitCode: 1 }) }));
  return log.flatMap((e) => (e.type === 'remediation_chosen' ? [e.remediation] : [])).slice(0, 2);
}

function coverage({ a, b }: SignatureCase): string[] {
  const c = new Coverage(pb, playbookMatcher(pb.playbook));
  let seq = 0;
  const feed = (event: EventInput) => c.feed({ event: { ...event, seq: seq++, ts: new Date(0).toISOString() } as Event, line: seq, sidechain: false });
  const chosen: string[] = [];
  feed({ type: 'prompt_sent', promptId: 'p1', step: 'stage', text: 'Run the evaluation.' });
  for (const [i, output] of [a, b].entries()) {
    feed({ type: 'tool_call', turn: i + 1, callId: `t${i}`, name: 'bash', input: { command: 'python3 eval.py' } });
    feed({ type: 'tool_result', turn: i + 1, callId: `t${i}`, output, isError: true });
    const point = feed({ type: 'prompt_sent', promptId: `p${i + 2}`, step: 'stage', text: 'Please have another look.' });
    if (point?.remediation) chosen.push(point.remediation.rule);
  }
  return chosen;
}

describe('the same error, live and in coverage', () => {
  it.each(SIGNATURE_CASES)('$name', (c) => {
    const expected = ['again', c.same ? 'stuck' : 'again'];
    expect(live(c)).toEqual(expected);
    expect(coverage(c)).toEqual(expected);
  });
});
