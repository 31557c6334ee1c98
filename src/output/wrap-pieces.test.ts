import { describe, expect, it } from 'vitest';
import { mayHoldLiteral, pieceSearch, wrapSafe } from './wrap-pieces.js';

const LITERAL = 'CUDA out of memory. Tried to allocate ';
const wholes = [Buffer.from(LITERAL)];
const at = (row: string): [Buffer, number] => {
  const b = Buffer.from(row);
  return [b, b.indexOf(wrapSafe(LITERAL))];
};

describe('the pieces of a literal the scanner searches for', () => {
  it('cut a literal at its first space 11 bytes in, and keep a short literal whole', () => {
    expect(wrapSafe(LITERAL)).toBe('CUDA out of');
    expect(wrapSafe('KeyError: ')).toBe('KeyError: ');
    const { search, wholes: w } = pieceSearch([LITERAL, 'Loss is NaN']);
    expect(search.literals).toEqual(['CUDA out of', 'Loss is NaN']);
    expect(w).toEqual([[Buffer.from(LITERAL)], null]);
  });

  it('open a window on a row that holds the whole literal', () => {
    expect(mayHoldLiteral(...at(`torch.OutOfMemoryError: ${LITERAL}20.00 MiB\n`), wholes)).toBe(true);
  });

  it('open a window on a row a console wrapped inside the literal: Modal keeps the space, Rich pads to its source column', () => {
    expect(mayHoldLiteral(...at('torch.OutOfMemoryError: CUDA out of \n'), wholes)).toBe(true);
    expect(mayHoldLiteral(...at('torch.OutOfMemoryError: CUDA out of memory.\r\n'), wholes)).toBe(true);
    expect(mayHoldLiteral(...at('[12:00:01] ERROR    CUDA out of memory.                 train.py:42\n'), wholes)).toBe(true);
  });

  it('skip a row where the piece stands in other text', () => {
    expect(mayHoldLiteral(...at('GPU 0: 31.2 GiB allocated; no CUDA out of memory events so far\n'), wholes)).toBe(false);
    expect(mayHoldLiteral(...at('CUDA out of memory.x\n'), wholes)).toBe(false);
    expect(mayHoldLiteral(...at('[12:00:01] ERROR    CUDA out of memory.         not a source\n'), wholes)).toBe(false);
  });
});
