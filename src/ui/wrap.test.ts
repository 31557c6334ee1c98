import { describe, expect, it } from 'vitest';
import { cols, wrapText } from './wrap.js';

describe('wrapText', () => {
  it('wraps at word boundaries and keeps every word', () => {
    const text = 'The smoke stage ran out of GPU memory while loading the main model in bf16; load it in 4-bit instead.';
    const lines = wrapText(text, 30);
    expect(lines.every((l) => cols(l) <= 30)).toBe(true);
    expect(lines.join(' ').replace(/\s+/g, ' ')).toBe(text);
    expect(lines.length).toBe(4);
  });

  it('breaks a word longer than the width, and keeps empty lines and paragraphs', () => {
    expect(wrapText('a\n\n' + 'x'.repeat(25), 10)).toEqual(['a', '', 'x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  });

  it('counts wide characters as two columns', () => {
    expect(cols('模型')).toBe(4);
    expect(wrapText('模型模型模型', 8).map(cols)).toEqual([8, 4]);
  });
});
