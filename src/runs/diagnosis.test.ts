import { describe, expect, it } from 'vitest';
import { diagnosis } from './diagnosis.js';

describe("a failed command's diagnosis", () => {
  it('keeps a short output whole', () => {
    expect(diagnosis(['ROOT-CAUSE-LINE'])).toEqual(['ROOT-CAUSE-LINE']);
  });

  it('from a long output keeps the exception line and how it ended, within a few lines', () => {
    const tail = [
      ...Array.from({ length: 20 }, (_, i) => `Episode ${i}: step ${i * 7}`),
      'Traceback (most recent call last):',
      '  File "eval.py", line 88, in <module>',
      '    model = load()',
      "KeyError: 'rfsq_head'",
      ...Array.from({ length: 10 }, (_, i) => `cleanup ${i}`),
      'Stopping app - local entrypoint completed.',
    ];
    const lines = diagnosis(tail);
    expect(lines.length).toBeLessThanOrEqual(7);
    expect(lines).toContain("KeyError: 'rfsq_head'");
    expect(lines.at(-1)).toBe('Stopping app - local entrypoint completed.');
  });
});
