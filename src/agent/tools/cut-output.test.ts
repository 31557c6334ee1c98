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
});
