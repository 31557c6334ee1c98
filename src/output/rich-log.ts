import { mayHavePrefix } from './log-prefix.js';

/**
 * Rich's logging handler (rich.logging.RichHandler) renders a record as a table row: a time
 * column (left blank when it repeats the previous record's), the level padded to 8 characters,
 * the message, and the source `file.py:222` right-aligned. A message too wide for its column,
 * or holding "\n", continues on the next rows with the other columns blank. A wrapped row and
 * a row after an explicit "\n" look alike; Rich wraps only when the next word does not fit, so a
 * row whose first word would have fitted on the previous one started after a "\n".
 */

export interface RichRecord {
  /** Column where the message starts (and every continuation row's text). */
  col: number;
  /** Width of the message column. */
  width: number;
  message: string;
  /** The message's first row as laid out (before the format mark is removed). */
  row: string;
}

const RECORD = /^(?:\s*|\[[^\]]*\]\s*|[\d/:.,\- [\]APM]*?\s)(DEBUG|INFO|WARNING|ERROR|CRITICAL|NOTSET)(\s+)/;
const SOURCE = /\s([\w.<>-]+:\d+)\s*$/;
// prismatic's overwatch logs through Rich with the format "| >> %(message)s", and its
// ContextAdapter adds "[*] " or "|=> " by nesting level.
const FORMAT_MARK = /^\| >>(?: (?:\[\*\] |\s*\|=> )?|$)/;

export function parseRichRecord(line: string, defaultWidth: number): RichRecord | undefined {
  if (!mayHavePrefix(line)) return undefined;
  const m = RECORD.exec(line);
  if (!m) return undefined;
  const level = m[1]!;
  const levelAt = m[0].length - m[2]!.length - level.length;
  // The level column is 8 wide and followed by one space: that is what tells Rich from a
  // plain `TIME LEVEL message` prefix.
  const col = levelAt + 9;
  if (m[0].length < col) return undefined;
  const source = line.length >= col + 20 ? SOURCE.exec(line) : null;
  const end = source ? source.index : line.length;
  const width = source ? source.index - col : Math.max(defaultWidth - col, 1);
  const row = line.slice(col, end).trimEnd();
  return { col, width, message: row.replace(FORMAT_MARK, ''), row };
}

/** The text of a continuation row of `record`, or undefined when the line is not one. */
export function richContinuation(line: string, record: RichRecord): string | undefined {
  if (line.length <= record.col) return undefined;
  for (let i = 0; i < record.col; i++) if (line.charCodeAt(i) !== 32) return undefined;
  if (line.charCodeAt(record.col) === 32) return undefined;
  return line.slice(record.col).trimEnd();
}

/** True when `next`'s first word could not have fitted after `row`: Rich wrapped the row. */
export function wrapped(row: string, next: string, width: number): boolean {
  const space = next.indexOf(' ');
  const word = space < 0 ? next.length : space;
  return row.length + 1 + word > width;
}
