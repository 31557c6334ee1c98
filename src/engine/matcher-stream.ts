/**
 * Line framing for the line splitter: arbitrary chunks in, complete lines out to a region
 * scanner, in memory bounded by one chunk plus one capped line. Lines end at "\n", "\r\n"
 * or a lone "\r" (a progress-bar redraw is its own line). A line longer than the cap is matched
 * on its first `cap` units and the rest of it is dropped unread.
 */

/** How the framing reads one kind of text (string or bytes); `units` are chars or bytes. */
export interface TextOps<T> {
  length(t: T): number;
  code(t: T, i: number): number;
  /** First "\n" or "\r" at or after `from`, or -1. */
  nextTerm(t: T, from: number): number;
  /** Last "\n" or "\r" at or after `from`, or -1. */
  lastTerm(t: T, from: number): number;
  slice(t: T, a: number, b: number): T;
  concat(parts: T[]): T;
}

/** Scans t[from, to), which holds whole lines; `base` is the stream offset of t[0]. */
export type RegionScan<T> = (t: T, from: number, to: number, base: number) => void;

const LF = 10;
const CR = 13;

export class ChunkStream<T> {
  private carry: T[] = [];
  private carryLen = 0;
  private carryBase = 0;
  private skipping = false;
  private pendingCR = false;
  private consumed = 0;

  constructor(
    private readonly ops: TextOps<T>,
    private readonly region: RegionScan<T>,
    private readonly cap: number,
  ) {}

  push(t: T): void {
    const { ops } = this;
    const len = ops.length(t);
    const base = this.consumed;
    this.consumed += len;
    let i = 0;
    // "\r" ended the previous chunk, so a "\n" here is the second half of the same terminator.
    if (this.pendingCR && len > 0 && ops.code(t, 0) === LF) i = 1;
    if (len > 0) this.pendingCR = false;
    if (this.skipping) {
      const term = ops.nextTerm(t, i);
      if (term < 0) return;
      this.skipping = false;
      i = this.after(t, term, len);
    }
    if (this.carryLen > 0 && i < len) {
      const term = ops.nextTerm(t, i);
      if (term < 0) {
        this.hold(t, i, len, base);
        return;
      }
      const line = ops.concat([...this.carry, ops.slice(t, i, term)]);
      this.region(line, 0, ops.length(line), this.carryBase);
      this.carry = [];
      this.carryLen = 0;
      i = this.after(t, term, len);
    }
    if (i >= len) return;
    const last = ops.lastTerm(t, i);
    if (last < 0) {
      this.hold(t, i, len, base);
      return;
    }
    this.region(t, i, last, base);
    const rest = this.after(t, last, len);
    if (rest < len) this.hold(t, rest, len, base);
  }

  end(): void {
    if (this.carryLen > 0 && !this.skipping) {
      const line = this.ops.concat(this.carry);
      this.region(line, 0, this.ops.length(line), this.carryBase);
    }
    this.carry = [];
    this.carryLen = 0;
    this.skipping = false;
    this.pendingCR = false;
  }

  /** Index after the terminator at `term`, noting a "\r" that may pair with the next chunk's "\n". */
  private after(t: T, term: number, len: number): number {
    if (this.ops.code(t, term) === CR) {
      if (term + 1 === len) this.pendingCR = true;
      else if (this.ops.code(t, term + 1) === LF) return term + 2;
    }
    return term + 1;
  }

  /** Keeps an unterminated tail; past the cap, matches its beginning now and skips the rest. */
  private hold(t: T, from: number, to: number, base: number): void {
    if (this.carryLen === 0) this.carryBase = base + from;
    const take = Math.min(to, from + (this.cap - this.carryLen));
    this.carry.push(this.ops.slice(t, from, take));
    this.carryLen += take - from;
    if (this.carryLen >= this.cap && take < to) {
      const line = this.ops.concat(this.carry);
      this.region(line, 0, this.ops.length(line), this.carryBase);
      this.carry = [];
      this.carryLen = 0;
      this.skipping = true;
    }
  }
}

export const stringOps: TextOps<string> = {
  length: (t) => t.length,
  code: (t, i) => t.charCodeAt(i),
  nextTerm(t, from) {
    const n = t.indexOf('\n', from);
    const r = t.indexOf('\r', from);
    return n < 0 ? r : r < 0 ? n : Math.min(n, r);
  },
  lastTerm(t, from) {
    const last = Math.max(t.lastIndexOf('\n'), t.lastIndexOf('\r'));
    return last >= from ? last : -1;
  },
  slice: (t, a, b) => t.slice(a, b),
  concat: (parts) => parts.join(''),
};
