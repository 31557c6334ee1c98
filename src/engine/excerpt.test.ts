import { describe, expect, it } from 'vitest';
import { EXCERPT_CHARS, excerptLines } from './excerpt.js';
import { remediationVars } from './remediate.js';
import { initialContext } from './context.js';

const traceback = [
  'Loading models...',
  'Traceback (most recent call last):',
  '  File "/root/eval.py", line 212, in <module>',
  '    decoder = torch.load(path)',
  '  File "/usr/lib/python3/torch/serialization.py", line 1065, in load',
  '    with _open_file_like(f, "rb") as opened_file:',
  "FileNotFoundError: [Errno 2] No such file or directory: '/vol/models/decoder.pt'",
];
const noise = Array.from({ length: 400 }, (_, i) => `2026-01-01 10:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')} INFO worker heartbeat ${i}: queue empty, waiting`);

describe('the excerpt', () => {
  it('keeps the cause of a traceback followed by log noise, within its budget', () => {
    const lines = excerptLines([...traceback, ...noise, 'Stopping app - local entrypoint completed.'].join('\n'));
    expect(lines).toContain("FileNotFoundError: [Errno 2] No such file or directory: '/vol/models/decoder.pt'");
    expect(lines).toContain('Traceback (most recent call last):');
    // How it ended is kept too.
    expect(lines.at(-1)).toBe('Stopping app - local entrypoint completed.');
    expect(lines.join('\n').length).toBeLessThanOrEqual(EXCERPT_CHARS);
    // The last 40 lines alone would have lost it.
    expect(noise.slice(-40).some((l) => l.includes('FileNotFoundError'))).toBe(false);
  });

  it('is what {{excerpt}} quotes', () => {
    const tail = excerptLines([...traceback, ...noise].join('\n'));
    const ctx = { ...initialContext(), lastCommand: { commandId: 'c1', exitCode: 1, tail } };
    expect(remediationVars(ctx, 'fix', undefined).excerpt).toContain('FileNotFoundError: [Errno 2]');
  });

  it('leaves short output whole', () => {
    expect(excerptLines('a\nb\n')).toEqual(['a', 'b']);
    expect(excerptLines('')).toEqual([]);
  });
});
