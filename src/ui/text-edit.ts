/**
 * A multi-line text buffer with a cursor: the model behind editing a prompt in place. Pure
 * functions over plain values, so the editor component only maps keys to them.
 */
export interface TextBuffer {
  lines: string[];
  row: number;
  col: number;
}

export function bufferOf(text: string): TextBuffer {
  const lines = text.split('\n');
  return { lines, row: lines.length - 1, col: lines.at(-1)!.length };
}

export const textOf = (b: TextBuffer): string => b.lines.join('\n');

/** Inserts typed or pasted text; pasted line breaks (CR, CRLF) become new lines. */
export function insert(b: TextBuffer, s: string): TextBuffer {
  const line = b.lines[b.row]!;
  const parts = (line.slice(0, b.col) + s.replace(/\r\n?/g, '\n')).split('\n');
  const rest = line.slice(b.col);
  const last = parts.length - 1;
  const col = parts[last]!.length;
  parts[last] += rest;
  return { lines: [...b.lines.slice(0, b.row), ...parts, ...b.lines.slice(b.row + 1)], row: b.row + last, col };
}

export function backspace(b: TextBuffer): TextBuffer {
  if (b.col > 0) {
    const line = b.lines[b.row]!;
    return withLine(b, line.slice(0, b.col - 1) + line.slice(b.col), b.col - 1);
  }
  if (b.row === 0) return b;
  const prev = b.lines[b.row - 1]!;
  const lines = [...b.lines.slice(0, b.row - 1), prev + b.lines[b.row]!, ...b.lines.slice(b.row + 1)];
  return { lines, row: b.row - 1, col: prev.length };
}

export type Move = 'left' | 'right' | 'up' | 'down' | 'home' | 'end';

export function move(b: TextBuffer, to: Move): TextBuffer {
  const len = (r: number) => b.lines[r]!.length;
  switch (to) {
    case 'left':
      if (b.col > 0) return { ...b, col: b.col - 1 };
      return b.row > 0 ? { ...b, row: b.row - 1, col: len(b.row - 1) } : b;
    case 'right':
      if (b.col < len(b.row)) return { ...b, col: b.col + 1 };
      return b.row < b.lines.length - 1 ? { ...b, row: b.row + 1, col: 0 } : b;
    case 'up':
      return b.row > 0 ? { ...b, row: b.row - 1, col: Math.min(b.col, len(b.row - 1)) } : { ...b, col: 0 };
    case 'down':
      return b.row < b.lines.length - 1 ? { ...b, row: b.row + 1, col: Math.min(b.col, len(b.row + 1)) } : { ...b, col: len(b.row) };
    case 'home':
      return { ...b, col: 0 };
    case 'end':
      return { ...b, col: len(b.row) };
  }
}

/** Deletes from the cursor back to the start of the line (Ctrl-U, as in a shell). */
export function killToStart(b: TextBuffer): TextBuffer {
  return withLine(b, b.lines[b.row]!.slice(b.col), 0);
}

function withLine(b: TextBuffer, line: string, col: number): TextBuffer {
  return { lines: b.lines.map((l, i) => (i === b.row ? line : l)), row: b.row, col };
}
