import { describe, expect, it } from 'vitest';
import { Playbook } from '../playbook/schema.js';
import { mermaid } from './graph.js';

const pb = Playbook.parse({
  name: 'two-steps',
  steps: [
    { id: 'fix-it', kind: 'prompt', title: 'Ask: fix "it"', prompt: 'Fix it.' },
    { id: 'verify', kind: 'run', command: 'make test', done_when: [{ check: 'exit_code', equals: 0 }, { check: 'metric', expr: 'tests_run >= 1', name: 'tests ran' }] },
  ],
  remediations: [
    { id: 'assertion', when: { match: '^AssertionError: (.*)$', in: ['command_output'] }, then: { prompt: 'Fix {{match}}.' } },
    { id: 'stuck', when: { exit_code: 'nonzero', repeated: 3 }, then: { abort: 'stuck' }, steps: ['verify'] },
  ],
  checklist: [{ item: 'tests pass', verify: { check: 'command', run: 'make test' } }],
});

describe('graph', () => {
  it('draws steps in order, gates as notes, remediations from the steps that can fire them, the checklist last', () => {
    const text = mermaid(pb);
    expect(text.split('\n')).toEqual(
      expect.arrayContaining([
        'stateDiagram-v2',
        '  state "fix-it (prompt) Ask fix it" as fix_it',
        '  [*] --> fix_it',
        '  fix_it --> verify : done',
        '  verify --> checklist : gates pass',
        '    gate exit 0',
        '    gate tests ran',
        '  verify --> fix_assertion : /^AssertionError (.*)$/',
        '  fix_assertion --> verify : retry',
        '  verify --> fix_stuck : exit nonzero',
        '  fix_stuck --> [*] : abort',
        '  checklist --> [*]',
      ]),
    );
    // An output trigger does not fire on a prompt step.
    expect(text).not.toContain('fix_it --> fix_assertion');
  });
});
