import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from './engine.js';
import { excerptLines } from './excerpt.js';
import { compilePlaybook } from '../playbook/compile.js';
import { loadPlaybook } from '../playbook/load.js';
import { packageRoot } from '../package-root.js';
import type { EventOf } from '../events/schema.js';
import { runStarted, simulate, world } from '../../tests/helpers/simulate.js';

/**
 * The RSD playbook's debugging loop on the engine: a smoke failure no rule names gets the
 * "fix this error" prompt quoting its root cause; the failures specific rules name keep them.
 */
const loaded = await loadPlaybook(path.join(packageRoot(), 'playbooks', 'rsd-phase3.yaml'));
const pb = compilePlaybook(loaded, { repo: 'r' });

function smokeFails(lines: string[], hits: string[] = []) {
  const output = { lines, tail: excerptLines(lines.join('\n')), exitCode: 1, hits };
  const { log } = simulate(new Engine(pb), runStarted(), world({ commandOutput: (_c, n) => (n === 1 ? output : { lines: [], exitCode: 0 }) }));
  const chosen = log.find((e): e is EventOf<'remediation_chosen'> => e.type === 'remediation_chosen');
  const prompt = log.find((e): e is EventOf<'prompt_proposed'> => e.type === 'prompt_proposed' && e.origin === 'remediation');
  return { chosen, prompt };
}

const noise = Array.from({ length: 200 }, (_, i) => `Episode ${i}: step ${i * 7}, reward 0.0`);

describe('rsd-phase3: the debugging loop', () => {
  it('sends "fix this error" with the command, the exit code and the root-cause line for a failure no rule names', () => {
    const { chosen, prompt } = smokeFails([
      'Traceback (most recent call last):',
      '  File "/root/modal_phase3_libero_eval.py", line 210, in load_decoder',
      "FileNotFoundError: [Errno 2] No such file or directory: '/models/rsd/decoder.pt'",
      ...noise,
    ]);
    expect(chosen).toMatchObject({ remediation: 'fix-this-error', step: 'smoke', action: 'prompt' });
    expect(prompt!.text).toContain("    FileNotFoundError: [Errno 2] No such file or directory: '/models/rsd/decoder.pt'");
    expect(prompt!.text).toContain("modal run 'RVQExperiment/phase3/modal_phase3_libero_eval.py' --task-suite 'libero_spatial'");
    expect(prompt!.text).toContain('It exited with code 1.');
    expect(prompt!.text).toContain("Let's fix this error.");
  });

  it.each([
    ['cuda-oom', 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB'],
    ['checkpoint-keys', "KeyError: 'model_state_dict'"],
  ])('leaves %s to its own rule', (rule, line) => {
    expect(smokeFails([line, ...noise], [rule]).chosen).toMatchObject({ remediation: rule, step: 'smoke' });
  });
});
