import type { LineMatch, Matcher } from '../engine/matcher.js';
import type { Source } from '../events/schema.js';
import { MAY_HOLD, type NormaliserOptions, createOutputNormaliser } from './normaliser.js';
import { createRawSplitter } from './raw-splitter.js';
import { mayHoldLiteral, pieceSearch } from './wrap-pieces.js';

/**
 * Finds the lines of a stream of output that trigger a rule, reading its bytes as grep does:
 * the matcher's multi-literal search runs over each chunk as it arrives, and only the lines
 * around a hit are decoded, normalised (./normaliser.ts) and matched with `matchLine`. Every
 * rule's match holds one of the literals, and normalising only removes text (ANSI codes, log
 * prefixes, bar fragments) or joins rows, so a line without a hit cannot match and is skipped
 * unread. This is how runs, replays and `labpilot parse` find triggers in command output.
 *
 * A hit's window starts at the first of the rows the normaliser could join with its line (a
 * Rich record's continuation rows start with spaces; after an error row Modal's console wrapped,
 * the next row's first word would not have fitted), at most BACK_ROWS back, and runs on while the normaliser holds a
 * line back to see if the next continues it. Lines holding ANSI codes are always read: a colour
 * code can split a literal. Not seen: a literal that only a shorter "\r" redraw forms with the
 * stale end of an earlier one, or that a removed bar fragment stood inside; a record whose first
 * row is more than BACK_ROWS rows or BACK_BYTES before the hit is read from there on.
 */

export interface ByteScanner {
  /** A chunk as read from a pipe or file; read during the call only (what must wait is copied). */
  push(chunk: Uint8Array): void;
  /** The last line, even without a terminator, and whatever the normaliser held back. */
  end(): void;
}

export type OnTrigger = (line: string, matches: readonly LineMatch[]) => void;

const NL = 10;
const CR = 13;
const ESC = 0x1b;
const SPACE = 32;
const TAB = 9;
/** How far a hit's window reaches back for the start of a wrapped record: rows, and bytes. */
const BACK_ROWS = 32;
const BACK_BYTES = 8 * 1024;
/** Text without a line end beyond this many UTF-16 units is cut into lines, as the raw splitter cuts it. */
const MAX_LINE = 64 * 1024;

// Rows are short: a loop finds their ends sooner than a call into Buffer's native search.
/** Where the row holding byte `at` starts. */
function rowStartOf(b: Buffer, at: number): number {
  let i = at - 1;
  while (i >= 0 && b[i] !== NL) i--;
  return i + 1;
}

/** Just past the "\n" ending the row holding byte `at` (a block's rows all end with one). */
function rowEndOf(b: Buffer, at: number): number {
  let i = at;
  while (b[i] !== NL) i++;
  return i + 1;
}

/** Where MAX_LINE units of UTF-8 text end in `b`, if it holds more; else -1. */
function cutAt(b: Buffer): number {
  if (b.length <= MAX_LINE) return -1;
  let units = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i] as number;
    if ((c & 0xc0) === 0x80) continue; // a continuation byte
    if (units >= MAX_LINE) return i;
    units += c >= 0xf0 ? 2 : 1;
  }
  return -1;
}

const EMPTY = Buffer.alloc(0);
const NEWLINE = Buffer.from('\n');

export function createTriggerScanner(matcher: Matcher, source: Source, onMatch: OnTrigger, opts: NormaliserOptions = {}): ByteScanner {
  const literals = matcher.literals(source);
  const normaliser = createOutputNormaliser<undefined>((line) => {
    const matches = matcher.matchLine(line, source);
    if (matches.length > 0) onMatch(line, matches);
  }, opts);
  const splitter = createRawSplitter((segment) => normaliser.push(segment));
  const finish = () => {
    splitter.end();
    normaliser.end();
  };
  // A rule without a literal to search for could match any line: read them all.
  if (literals === null) return { push: (chunk) => splitter.push(chunk), end: finish };
  if (literals.length === 0) return { push() {}, end() {} };
  const { search, wholes } = pieceSearch(literals);

  const width = opts.width ?? 80;
  let carry: Buffer = EMPTY; // bytes after the last "\n" seen
  let before: Buffer = EMPTY; // a copy of the unread rows before the block, for a window that starts there
  let open = false; // the normaliser holds a line that the next block may continue

  /**
   * Whether the normaliser could join the row at `next` (in `nb`) onto the row [start, end) of
   * `b` (end at its "\n"): a Rich continuation row starts with spaces, and a wrapped error row
   * is one whose first word would not have fitted after the row before (see normaliser.ts).
   */
  const joinable = (b: Buffer, start: number, end: number, nb: Buffer, next: number): boolean => {
    const first = nb[next];
    if (first === SPACE || first === TAB) return true;
    while (end > start && (b[end - 1] === CR || b[end - 1] === SPACE)) end--;
    // Bytes are never fewer than the characters a terminal shows for them (colour codes and
    // overdrawn redraws only add bytes), so lengths in bytes never miss a wrap.
    let word = next;
    while (word < nb.length && nb[word] !== SPACE && nb[word] !== NL) word++;
    return end - start + 1 + (word - next) > width;
  };

  /** Feeds whole rows to the normaliser: decoded at once unless a redraw or length needs the splitter. */
  const feed = (b: Buffer, start: number, end: number): void => {
    let plain = end - start < MAX_LINE;
    for (let i = start; plain && i < end - 2; i++) if (b[i] === CR) plain = false;
    if (plain) normaliser.push(b.toString('utf8', start, end));
    else splitter.push(b.subarray(start, end));
  };

  /**
   * Feeds the rows before a hit's line that the normaliser could be holding when it comes: from
   * the earliest row that may begin a held record (MAY_HOLD) among the rows the line may
   * continue, back to `floor` (where an earlier window left off) and into the block before.
   */
  const feedRowsBefore = (b: Buffer, lineStart: number, floor: number): void => {
    let rows: Array<[Buffer, number, number]> | undefined; // nearest first
    let buf = b;
    let start = lineStart;
    let low = floor;
    let nextBuf = b;
    let next = lineStart;
    while ((rows?.length ?? 0) < BACK_ROWS) {
      if (start <= low) {
        if (buf !== b || low > 0 || before.length === 0) break;
        buf = before;
        start = before.length;
        low = 0;
      }
      const rowStart = rowStartOf(buf, start - 1);
      if (!joinable(buf, rowStart, start - 1, nextBuf, next)) break;
      (rows ??= []).push([buf, rowStart, start]);
      nextBuf = buf;
      next = start = rowStart;
    }
    if (!rows) return;
    // An indented row can only continue a Rich record; any other, a wrapped error line.
    const first = b[lineStart];
    const holds = first === SPACE || first === TAB ? MAY_HOLD.indented : MAY_HOLD.wrapped;
    for (let i = rows.length - 1; i >= 0; i--) {
      const [rb, rs, re] = rows[i]!;
      if (!holds.test(rb.toString('latin1', rs, re))) continue;
      for (let j = i; j >= 0; j--) feed(...rows[j]!);
      return;
    }
  };

  /** Feeds lines from `from` while the normaliser holds one back; where it stopped. */
  const follow = (b: Buffer, from: number): number => {
    while (normaliser.holding() && from < b.length) {
      const end = rowEndOf(b, from);
      feed(b, from, end);
      from = end;
    }
    open = normaliser.holding();
    return from;
  };

  /** A block of whole lines (it ends with "\n"). */
  const scan = (b: Buffer): void => {
    let pos = open ? follow(b, 0) : 0;
    const inBlock = search.inBytes(b);
    // The next hit whose row may hold a literal (a piece may stand in other text).
    const find = (from: number): number => {
      let at = inBlock(from, b.length);
      while (at >= 0 && !mayHoldLiteral(b, at, wholes[search.found] ?? null)) at = inBlock(at + 1, b.length);
      return at;
    };
    let hit = find(pos);
    let esc = b.indexOf(ESC, pos);
    while (hit >= 0 || esc >= 0) {
      const at = hit < 0 ? esc : esc < 0 ? hit : Math.min(hit, esc);
      const lineStart = rowStartOf(b, at);
      feedRowsBefore(b, lineStart, pos);
      const end = rowEndOf(b, at);
      feed(b, lineStart, end);
      pos = follow(b, end);
      if (hit >= 0 && hit < pos) hit = find(pos);
      if (esc >= 0 && esc < pos) esc = b.indexOf(ESC, pos);
    }
    remember(b, pos);
  };

  /**
   * Keeps a copy of the last unread rows (from `pos` on) for a window to reach back into, with
   * those kept before when none of the block was read: at most BACK_BYTES, cut at a row start.
   */
  const remember = (b: Buffer, pos: number): void => {
    let from = Math.max(pos, b.length - BACK_BYTES);
    if (from > pos) from = b.indexOf(NL, from - 1) + 1;
    if (pos > 0 || from > 0 || before.length === 0) {
      before = Buffer.from(b.subarray(from));
      return;
    }
    const rows = Buffer.concat([before, b]);
    const cut = rows.length > BACK_BYTES ? rows.indexOf(NL, rows.length - BACK_BYTES - 1) + 1 : 0;
    before = rows.subarray(cut);
  };

  return {
    push(chunk) {
      let rest = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (carry.length > 0) {
        const first = rest.indexOf(NL);
        carry = Buffer.concat([carry, first < 0 ? rest : rest.subarray(0, first + 1)]);
        if (first < 0) return cutLong();
        const line = carry;
        carry = EMPTY;
        scan(line);
        rest = rest.subarray(first + 1);
      }
      const last = rest.lastIndexOf(NL);
      if (last >= 0) scan(rest.subarray(0, last + 1));
      // Copied: the caller may reuse its buffer, and this may wait for many chunks.
      carry = Buffer.from(rest.subarray(last + 1));
      cutLong();
    },
    end() {
      if (carry.length > 0) scan(Buffer.concat([carry, NEWLINE]));
      carry = EMPTY;
      finish();
    },
  };

  /** Text without a line end beyond MAX_LINE characters is read in lines of that many, as the raw splitter cuts it. */
  function cutLong(): void {
    for (let cut = cutAt(carry); cut >= 0; cut = cutAt(carry)) {
      scan(Buffer.concat([carry.subarray(0, cut), NEWLINE]));
      carry = carry.subarray(cut);
    }
  }
}
