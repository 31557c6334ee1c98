import { describe, expect, it } from 'vitest';
import { createLineSplitter } from './line-splitter.js';

function split(chunks: Array<string | Uint8Array>, maxLineChars?: number): string[] {
  const lines: string[] = [];
  const s = createLineSplitter((l) => lines.push(l), { maxLineChars });
  for (const c of chunks) s.push(c);
  s.end();
  return lines;
}

describe('createLineSplitter', () => {
  it('reassembles UTF-8 characters cut between Buffer chunks', () => {
    const text = '✓ Created objects.\n██ 20%|▌\nGPU 0 — 39.39 GiB\n';
    const bytes = Buffer.from(text);
    const oneByteAtATime = [...bytes].map((b) => Buffer.from([b]));
    expect(split(oneByteAtATime)).toEqual(['✓ Created objects.', '██ 20%|▌', 'GPU 0 — 39.39 GiB']);
    // A cut in the middle of the 3-byte "✓".
    expect(split([bytes.subarray(0, 1), bytes.subarray(1, 2), bytes.subarray(2)])[0]).toBe('✓ Created objects.');
  });

  it('ends lines at LF, CRLF (even when cut between chunks) and a lone CR', () => {
    expect(split(['a\r\nb\nc\rd'])).toEqual(['a', 'b', 'c', 'd']);
    expect(split(['a\r', '\nb\r', '', '\nc'])).toEqual(['a', 'b', 'c']);
    expect(split(['\r 10%|█ |\r 20%|██|\rdone\n'])).toEqual(['', ' 10%|█ |', ' 20%|██|', 'done']);
  });

  it('keeps empty lines and emits an unterminated last line at end', () => {
    expect(split(['x\n\n', 'y'])).toEqual(['x', '', 'y']);
    expect(split(['x\n'])).toEqual(['x']);
    expect(split([])).toEqual([]);
  });

  it('cuts a long line at the cap and drops the rest of it', () => {
    expect(split(['abcdefghij', 'klmnop\nshort\n'], 4)).toEqual(['abcd', 'shor']);
    expect(split(['abcdefghij\nxy\n'], 4)).toEqual(['abcd', 'xy']);
    const huge = 'z'.repeat(1 << 20);
    const lines = split([huge, huge, 'tail\nnext'], 1000);
    expect(lines.map((l) => l.length)).toEqual([1000, 4]);
    expect(lines[1]).toBe('next');
  });
});
