import { closeSync, openSync, readSync } from 'node:fs';

export interface RawLine {
  text: string;
  /** 1-based. */
  n: number;
  /** The file ended without a newline after this line. */
  last: boolean;
  /** The line was longer than the cap: `text` holds its beginning only. */
  cut: boolean;
}

const CHUNK = 1 << 20;
/** A JSONL record longer than this is reported, not held: memory stays bounded. */
export const MAX_LINE_BYTES = 64 << 20;

/**
 * The lines of a file, read in 1 MiB chunks and decoded one line at a time, so memory holds one
 * chunk and one line whatever the file's size. Blank lines are skipped (still counted).
 */
export function* readLines(path: string, maxLineBytes = MAX_LINE_BYTES): Generator<RawLine> {
  const fd = openSync(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(CHUNK);
    let start = 0;
    let end = 0;
    let n = 0;
    let skipping = false;
    for (;;) {
      if (start === end) {
        start = end = 0;
        // A long line grew the buffer; the next ones need no more than a chunk.
        if (buf.length > CHUNK) buf = Buffer.allocUnsafe(CHUNK);
      }
      if (end === buf.length) {
        if (start > 0) {
          buf.copy(buf, 0, start, end);
          end -= start;
          start = 0;
        } else if (buf.length < maxLineBytes) {
          const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, maxLineBytes));
          buf.copy(bigger, 0, 0, end);
          buf = bigger;
        } else {
          // Too long to hold: report its beginning once, drop the rest up to its newline.
          if (!skipping) yield { text: buf.toString('utf8', 0, Math.min(end, 200)), n: n + 1, last: false, cut: true };
          skipping = true;
          start = end = 0;
        }
      }
      const read = readSync(fd, buf, end, buf.length - end, null);
      if (read === 0) break;
      const scanFrom = end;
      end += read;
      const filled = buf.subarray(0, end);
      let nl = filled.indexOf(10, scanFrom);
      while (nl >= 0) {
        n++;
        if (skipping) skipping = false;
        else if (!isBlank(buf, start, nl)) yield { text: buf.toString('utf8', start, stripCr(buf, start, nl)), n, last: false, cut: false };
        start = nl + 1;
        nl = filled.indexOf(10, start);
      }
    }
    if (start < end && !skipping && !isBlank(buf, start, end)) yield { text: buf.toString('utf8', start, end), n: n + 1, last: true, cut: false };
  } finally {
    closeSync(fd);
  }
}

function stripCr(buf: Buffer, start: number, nl: number): number {
  return nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
}

function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}
