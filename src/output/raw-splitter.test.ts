import { describe, expect, it } from 'vitest';
import { createRawSplitter } from './raw-splitter.js';

function split(chunks: Array<string | Uint8Array>, max?: number): string[] {
  const out: string[] = [];
  const s = createRawSplitter((x) => out.push(x), max);
  for (const c of chunks) s.push(c);
  s.end();
  return out;
}

describe('createRawSplitter', () => {
  it('keeps each terminator so the bytes join back unchanged', () => {
    const text = 'a\r\nb\n\r 10%|█|\r 20%|██|\x1b[Adone\nlast';
    const parts = split([text]);
    expect(parts).toEqual(['a\r\n', 'b\n', '\r', ' 10%|█|\r', ' 20%|██|\x1b[Adone\n', 'last']);
    expect(parts.join('')).toBe(text);
  });

  it('tells "\\r\\n" cut between chunks from a lone "\\r"', () => {
    expect(split(['a\r', '\nb\r', 'c\n'])).toEqual(['a\r\n', 'b\r', 'c\n']);
    expect(split(['a\r'])).toEqual(['a\r']);
  });

  it('reassembles UTF-8 characters cut between chunks', () => {
    const bytes = Buffer.from('✓ Created objects.\n');
    expect(split([...bytes].map((b) => Buffer.from([b])))).toEqual(['✓ Created objects.\n']);
  });

  it('passes on a line longer than the cap in pieces, holding no more than the cap', () => {
    expect(split(['abcdefghij', 'kl\nx\n'], 4)).toEqual(['abcd', 'efgh', 'ijkl\n', 'x\n']);
  });
});
