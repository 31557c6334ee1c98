import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLines } from './lines.js';

const file = (content: string | Buffer) => {
  const path = join(mkdtempSync(join(tmpdir(), 'labpilot-lines-')), 'f.jsonl');
  writeFileSync(path, content);
  return path;
};

describe('readLines', () => {
  it('gives every line across 1 MiB chunk boundaries, with its number, CRLF stripped, blanks skipped', () => {
    const lines = Array.from({ length: 30_000 }, (_, i) => (i % 97 === 0 ? '' : `{"n":${i},"pad":"${'é'.repeat(i % 150)}"}`));
    const path = file(lines.map((l, i) => (i % 5 === 0 ? `${l}\r\n` : `${l}\n`)).join(''));
    const read = [...readLines(path)];
    const expected = lines.map((text, i) => ({ text, n: i + 1 })).filter((l) => l.text !== '');
    expect(read.map(({ text, n }) => ({ text, n }))).toEqual(expected);
    expect(read.every((l) => !l.last && !l.cut)).toBe(true);
  });

  it('marks a last line without a newline', () => {
    expect([...readLines(file('{"a":1}\n{"b":'))]).toEqual([
      { text: '{"a":1}', n: 1, last: false, cut: false },
      { text: '{"b":', n: 2, last: true, cut: false },
    ]);
  });

  it('reports a line over the cap once, by its beginning, and goes on with the next line', () => {
    const long = 'x'.repeat(5 << 20);
    const read = [...readLines(file(`{"first":1}\n${long}\n{"after":2}\n`), 2 << 20)];
    expect(read.map((l) => [l.n, l.cut, l.text.length])).toEqual([
      [1, false, 11],
      [2, true, 200],
      [3, false, 11],
    ]);
  });
});
