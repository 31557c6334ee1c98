import { describe, expect, it } from 'vitest';
import { cutOutput } from './cut-output.js';

const noise = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => `step ${from + i}: loss=${(1 / (from + i + 1)).toFixed(6)} lr=0.0003 tokens/s=1834`);

const traceback = [
  'Traceback (most recent call last):',
  '  File "/repo/eval/run_eval.py", line 212, in <module>',
  '    main()',
  '  File "/repo/eval/run_eval.py", line 198, in main',
  '    results = evaluate(policy, env, episodes=args.episodes)',
  '  File "/repo/eval/libero_eval.py", line 87, in evaluate',
  '    obs = env.reset(seed=seed)',
  '  File "/repo/eval/libero_eval.py", line 41, in reset',
  '    return self._env.reset(init_state=self._states[seed])',
  "KeyError: 'init_state'",
];

describe('cutOutput', () => {
  it('returns short output unchanged', () => {
    expect(cutOutput('a\nb\nc', 100)).toBe('a\nb\nc');
  });

  it("keeps a traceback's last frames and final error line buried in 10,000 noise lines", () => {
    const text = [...noise(0, 5000), ...traceback, ...noise(5000, 5000)].join('\n');
    const out = cutOutput(text, 8000);
    expect(out.length).toBeLessThanOrEqual(8000);
    expect(out).toContain('Traceback (most recent call last):');
    expect(out).toContain("KeyError: 'init_state'");
    expect(out).toContain('  File "/repo/eval/libero_eval.py", line 41, in reset');
    expect(out).toContain('    return self._env.reset(init_state=self._states[seed])');
    // Head and tail survive, and the elisions are marked with their sizes.
    expect(out.startsWith('step 0: ')).toBe(true);
    expect(out).toContain('step 9999: ');
    expect(out).toMatch(/\[\.\.\. \d+ lines cut \.\.\.\]/);
  });

  it('prefers the latest failure when error lines compete for the budget', () => {
    const lines = noise(0, 3000);
    lines[100] = 'FAILED tests/test_a.py::test_first - AssertionError';
    lines[2500] = 'RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB';
    const text = [...lines, ...noise(3000, 3000)].join('\n');
    const out = cutOutput(text, 2000);
    expect(out.length).toBeLessThanOrEqual(2000);
    expect(out).toContain('RuntimeError: CUDA out of memory');
  });

  it('shortens a single huge line instead of dropping everything else', () => {
    const text = ['start', 'x'.repeat(50_000), 'error: the end'].join('\n');
    const out = cutOutput(text, 4000);
    expect(out.length).toBeLessThanOrEqual(4000);
    expect(out).toContain('start');
    expect(out).toContain('error: the end');
    expect(out).toMatch(/chars cut\]/);
  });

  it("keeps the tab-indented lines that continue an exception's message", () => {
    const error = [
      'Traceback (most recent call last):',
      '  File "/repo/load.py", line 9, in <module>',
      '    model.load_state_dict(sd)',
      'RuntimeError: Error(s) in loading state_dict for ActionRFSQAE:',
      '\tMissing key(s) in state_dict: "encoder.layers.0.weight".',
      '\tsize mismatch for decoder.proj.weight: copying a param with shape torch.Size([256, 16]) from checkpoint, the shape in current model is torch.Size([256, 64]).',
    ];
    const out = cutOutput([...noise(0, 6000), ...error, ...noise(6000, 6000)].join('\n'), 8000);
    for (const line of error) expect(out).toContain(line);
  });

  it('keeps the first error of a build although hundreds of errors cascade from it', () => {
    const cascade = Array.from({ length: 300 }, (_, i) => `src/kernel_${i}.cu:${i}:5: error: 'cudaStream_t' was not declared in this scope`);
    const first = 'csrc/api.cpp:12:10: fatal error: cuda_runtime_api.h: No such file or directory';
    const out = cutOutput([...noise(0, 3000), first, ...cascade, ...noise(3000, 8000)].join('\n'), 8000);
    expect(out).toContain(first);
    expect(out).toContain("src/kernel_299.cu:299:5: error: 'cudaStream_t' was not declared in this scope");
  });

  it('spends one line on an error repeated hundreds of times, leaving room for a different one', () => {
    const lines = noise(0, 12000);
    for (let i = 100; i < 11000; i += 25) lines[i] = `Episode error: Cannot set state of ${i % 9} qpos entries`;
    lines[500] = "ModuleNotFoundError: No module named 'robosuite.environments.manipulation.single_arm_env'";
    const out = cutOutput(lines.join('\n'), 8000);
    expect(out).toContain("ModuleNotFoundError: No module named 'robosuite.environments.manipulation.single_arm_env'");
    expect(out.match(/Episode error/g)!.length).toBeLessThan(20);
  });

  it('shows a progress bar redrawn with carriage returns as its last state', () => {
    const bar = Array.from({ length: 200 }, (_, i) => `\rLoading: ${i}/199`).join('');
    const out = cutOutput([bar, ...noise(0, 3000)].join('\n'), 2000);
    expect(out.split('\n')[0]).toBe('Loading: 199/199');
  });
});
