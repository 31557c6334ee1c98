import { MultiLiteral, pairCost } from './matcher-search.js';

/**
 * Multi-literal search over raw bytes by sampling: with every literal at least m bytes long,
 * any occurrence covers a 4-byte word starting at one of every `stride` = m - 3 positions
 * (rounded down to a multiple of 4, so the words are read aligned, one load each). Each sampled
 * word is hashed into a table of the words each literal holds at its first `stride` positions
 * (of the window of the literal chosen to hold the rarest words); only a flagged word is
 * verified. The loop has no data-dependent jumps, so for output that holds none of the
 * literals it reads one word in `stride` bytes at memory speed. Literal sets too short for a
 * stride of 4 use the Wu-Manber search instead (ByteSearch).
 */

const HASH_BITS = 16;
const hashOf = (word: number): number => Math.imul(word, 0x9e3779b1) >>> (32 - HASH_BITS);

/** Literals searched for in raw bytes: sampled when they are long enough, else by Wu-Manber. */
export class ByteSearch {
  /** Index in `literals` of what the last search that found something found. */
  found = -1;
  private readonly sampled: SampledSearch | null;
  /** The literals' UTF-8 bytes read as latin1, one unit a byte, for bytes read the same way. */
  private readonly asLatin1: MultiLiteral | null;

  constructor(readonly literals: readonly string[]) {
    const bytes = literals.map((l) => Buffer.from(l));
    this.sampled = SampledSearch.of(bytes);
    this.asLatin1 = this.sampled ? null : new MultiLiteral(bytes.map((b) => b.toString('latin1')));
  }

  /**
   * The search over one block of bytes: the start of the first literal occurrence lying wholly
   * inside bytes[from, to), or -1. The block must not change while the search is in use.
   */
  inBytes(bytes: Uint8Array): (from: number, to: number) => number {
    const sampled = this.sampled;
    if (sampled) {
      return (from, to) => {
        const at = sampled.next(bytes, from, to);
        this.found = sampled.found;
        return at;
      };
    }
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    const latin1 = this.asLatin1!;
    return (from, to) => {
      const at = latin1.nextInString(text, from, to);
      this.found = latin1.found;
      return at;
    };
  }
}

export class SampledSearch {
  readonly stride: number;
  /** Index of the literal the last successful `next` found. */
  found = -1;
  /** How far past an occurrence's start its sampled word may lie. */
  private readonly reach: number;
  /** A bit per hash that some literal's word has: 8 KiB, so the sampling loop reads it from L1. */
  private readonly bits = new Uint32Array((1 << HASH_BITS) >> 5);
  /** Per hash, entries [start[h], start[h + 1]) of `literal` and `at` (where its word starts). */
  private readonly start = new Uint32Array((1 << HASH_BITS) + 1);
  private readonly literal: Uint32Array;
  private readonly at: Uint32Array;

  /** null when the shortest literal is too short to sample (under 7 bytes). */
  static of(literals: readonly Uint8Array[]): SampledSearch | null {
    const m = Math.min(...literals.map((l) => l.length));
    const stride = (m - 3) & ~3;
    return stride >= 4 ? new SampledSearch(literals, stride) : null;
  }

  private constructor(
    private readonly literals: readonly Uint8Array[],
    stride: number,
  ) {
    this.stride = stride;
    const m = Math.min(...literals.map((l) => l.length));
    let reach = 0;
    const entries: Array<{ h: number; k: number; at: number }> = [];
    literals.forEach((lit, k) => {
      const window = rarestWindow(lit, m);
      reach = Math.max(reach, window + stride);
      for (let at = window; at < window + stride; at++) entries.push({ h: hashOf(wordAt(lit, at)), k, at });
    });
    this.reach = reach;
    entries.sort((a, b) => a.h - b.h);
    for (const e of entries) this.bits[e.h >>> 5]! |= 1 << (e.h & 31);
    for (const e of entries) this.start[e.h + 1]!++;
    for (let h = 1; h < this.start.length; h++) this.start[h]! += this.start[h - 1] as number;
    this.literal = Uint32Array.from(entries, (e) => e.k);
    this.at = Uint32Array.from(entries, (e) => e.at);
  }

  /** Start of the first literal occurrence lying wholly inside bytes[from, to), or -1. */
  next(bytes: Uint8Array, from: number, to: number): number {
    const base = bytes.byteOffset;
    const words = this.wordsOf(bytes.buffer);
    const step = this.stride >> 2;
    const bits = this.bits;
    // Sampled positions are multiples of 4 in the underlying buffer, so words load aligned.
    let limit = (base + to) >> 2;
    let best = -1;
    for (let w = (base + from + 3) >> 2; w < limit; w += step) {
      const h = hashOf(words[w] as number);
      if ((((bits[h >>> 5] as number) >>> (h & 31)) & 1) === 0) continue;
      const start = this.verify(bytes, (w << 2) - base, from, to, h);
      if (start >= 0 && (best < 0 || start < best)) {
        best = start;
        this.found = this.verified;
        // An earlier occurrence is sampled before its own start + reach: look that far on.
        limit = Math.min(limit, ((base + start + this.reach) >> 2) + 1);
      }
    }
    return best;
  }

  private buffer: ArrayBufferLike | null = null;
  private words: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

  /** One view of the buffer as words, made once per buffer rather than once per search. */
  private wordsOf(buffer: ArrayBufferLike): Uint32Array {
    if (buffer !== this.buffer) {
      this.buffer = buffer;
      this.words = new Uint32Array(buffer, 0, buffer.byteLength >> 2);
    }
    return this.words;
  }

  private verified = -1;

  /** The earliest start of a literal whose sampled word (hashed to h) is at p, inside [from, to). */
  private verify(bytes: Uint8Array, p: number, from: number, to: number, h: number): number {
    let best = -1;
    for (let e = this.start[h] as number, end = this.start[h + 1] as number; e < end; e++) {
      const lit = this.literals[this.literal[e] as number] as Uint8Array;
      const start = p - (this.at[e] as number);
      if (start < from || start + lit.length > to || (best >= 0 && start >= best)) continue;
      let i = 0;
      while (i < lit.length && bytes[start + i] === lit[i]) i++;
      if (i === lit.length) {
        best = start;
        this.verified = this.literal[e] as number;
      }
    }
    return best;
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The word of 4 bytes at `at` as a Uint32Array reads it on this machine. */
function wordAt(b: Uint8Array, at: number): number {
  const [w, x, y, z] = LITTLE_ENDIAN ? [b[at], b[at + 1], b[at + 2], b[at + 3]] : [b[at + 3], b[at + 2], b[at + 1], b[at]];
  return ((w as number) | ((x as number) << 8) | ((y as number) << 16) | ((z as number) << 24)) >>> 0;
}

/** Where the literal's m-byte window holds the rarest pairs (the sampled words are read there). */
function rarestWindow(lit: Uint8Array, m: number): number {
  let best = 0;
  let bestCost = Infinity;
  for (let o = 0; o + m <= lit.length; o++) {
    let cost = 0;
    for (let q = o + 1; q < o + m; q++) cost += pairCost(lit[q - 1] as number, lit[q] as number);
    if (cost < bestCost) [best, bestCost] = [o, cost];
  }
  return best;
}
