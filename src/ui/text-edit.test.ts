import { describe, expect, it } from 'vitest';
import { backspace, bufferOf, insert, killToStart, move, textOf } from './text-edit.js';

describe('text buffer', () => {
  it('starts with the cursor at the end of the text', () => {
    expect(bufferOf('ab\ncd')).toEqual({ lines: ['ab', 'cd'], row: 1, col: 2 });
  });

  it('inserts at the cursor and splits lines on pasted line breaks (CRLF too)', () => {
    const b = insert(move(move(bufferOf('abcd'), 'left'), 'left'), 'X\r\nY');
    expect(textOf(b)).toBe('abX\nYcd');
    expect([b.row, b.col]).toEqual([1, 1]);
  });

  it('joins lines when erasing at the start of one', () => {
    const b = backspace(move(bufferOf('ab\ncd'), 'home'));
    expect(textOf(b)).toBe('abcd');
    expect([b.row, b.col]).toEqual([0, 2]);
  });

  it('keeps the column within shorter lines when moving up and down', () => {
    const b = move(bufferOf('a\nlonger'), 'up');
    expect([b.row, b.col]).toEqual([0, 1]);
    expect(move(b, 'down')).toMatchObject({ row: 1, col: 1 });
  });

  it('wraps left and right across line ends', () => {
    const start = move(bufferOf('ab\ncd'), 'home');
    expect(move(start, 'left')).toMatchObject({ row: 0, col: 2 });
    expect(move(move(start, 'left'), 'right')).toMatchObject({ row: 1, col: 0 });
  });

  it('Ctrl-U deletes back to the start of the line', () => {
    expect(textOf(killToStart(move(bufferOf('one\ntwo three'), 'left')))).toBe('one\ne');
  });
});
