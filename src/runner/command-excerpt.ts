import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { excerptLines } from '../engine/excerpt.js';
import { normaliseText } from '../output/normaliser.js';
import { type OutputSettings, prefixRegexes } from '../output/streams.js';

/** More than this is read as its first and last parts: a day-long stage's log need not be in memory. */
const MAX_READ = 8 * 1024 * 1024;
const HEAD = 1024 * 1024;

/**
 * The excerpt of a finished command's log file (src/engine/excerpt.ts). The file keeps the raw
 * bytes, so it is normalised first, as the lines triggers and figures read were.
 */
export function commandExcerpt(logFile: string, output?: OutputSettings): string[] {
  const cut = (text: string) => excerptLines(normaliseText(text, { prefixes: prefixRegexes(output) }).join('\n'));
  const size = statSync(logFile).size;
  const fd = openSync(logFile, 'r');
  try {
    const read = (from: number, length: number): string => {
      const buf = Buffer.alloc(length);
      const n = readSync(fd, buf, 0, length, from);
      return buf.subarray(0, n).toString('utf8');
    };
    if (size <= MAX_READ) return cut(read(0, size));
    const head = read(0, HEAD);
    const tail = read(size - (MAX_READ - HEAD), MAX_READ - HEAD);
    // Cut at line ends so no half line is taken for an error.
    return cut(`${head.slice(0, head.lastIndexOf('\n'))}\n[... log middle not read ...]\n${tail.slice(tail.indexOf('\n') + 1)}`);
  } finally {
    closeSync(fd);
  }
}
