import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonElements } from './json-array.js';
import { InputError, exitCodeOf } from '../../errors.js';

const file = (content: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'labpilot-json-')), 'm.json');
  writeFileSync(path, content);
  return path;
};

const tricky = [
  { role: 'user', content: 'brackets ] } [ { and "quotes", commas, and a \\ backslash' },
  { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'bash', input: { command: 'echo "[1, 2]"', list: [[1], [2, [3]]] } }] },
  { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: '[1, 2]\n' + 'ü'.repeat(400_000) }] },
];

describe('jsonElements', () => {
  it('splits a top-level array into its messages, whatever their strings hold', () => {
    const text = JSON.stringify(tricky, null, 2);
    const got = [...jsonElements(file(text))];
    expect(got.map((e) => JSON.parse(e.text!))).toEqual(tricky);
    // Each element starts a line of its own, indented by two: `  {`.
    const starts = text.split('\n').flatMap((l, i) => (l === '  {' ? [[i + 1, 3]] : []));
    expect(starts).toHaveLength(3);
    expect(got.map((e) => [e.line, e.col])).toEqual(starts);
  });

  it('finds the messages array of a request body after other keys, arrays and a "messages" string value', () => {
    const body = { model: 'm', note: 'messages', tools: [{ name: 'bash', input_schema: { type: 'object' } }], system: [{ type: 'text', text: 'be brief' }], messages: tricky, max_tokens: 5 };
    expect([...jsonElements(file(JSON.stringify(body)))].map((e) => JSON.parse(e.text!))).toEqual(tricky);
  });

  it('ends with a located undefined element when the document stops inside one', () => {
    const text = JSON.stringify(tricky, null, 1);
    const got = [...jsonElements(file(text.slice(0, text.indexOf('"tool_use"'))))];
    expect(got).toHaveLength(2);
    expect(JSON.parse(got[0]!.text!)).toEqual(tricky[0]);
    expect(got[1]).toEqual({ text: undefined, line: 6, col: 2 });
  });

  it('says so, located, when there is no messages array: bad input (exit 2)', () => {
    const path = file('{"model": "m", "prompt": "hi"}');
    expect(() => [...jsonElements(path)]).toThrow(`${path}:1:1: no messages array`);
    let err: unknown;
    try {
      Array.from(jsonElements(path));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).where).toBe(`${path}:1:1`);
    expect(exitCodeOf(err)).toBe(2);
  });
});
