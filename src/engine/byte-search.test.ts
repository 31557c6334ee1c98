import { describe, expect, it } from 'vitest';
import { int, pickOf, prng, type Rand } from '../../tests/helpers/byte-chunks.js';
import { ByteSearch, SampledSearch } from './byte-search.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The obvious search the fast ones must agree with: the first start whose literal lies wholly in [from, to). */
function naiveFirst(bytes: Uint8Array, lits: readonly Uint8Array[], from: number, to: number): number {
  for (let s = from; s < to; s++) {
    for (const lit of lits) {
      if (s + lit.length > to) continue;
      let i = 0;
      while (i < lit.length && bytes[s + i] === lit[i]) i++;
      if (i === lit.length) return s;
    }
  }
  return -1;
}

/** `bytes` copied into a fresh buffer at `byteOffset` (so words of the buffer straddle its start), with a tail after it. */
function placed(bytes: Uint8Array, byteOffset: number, tail = 5): Uint8Array {
  const buffer = new ArrayBuffer(byteOffset + bytes.length + tail);
  new Uint8Array(buffer).fill(0x41);
  const view = new Uint8Array(buffer, byteOffset, bytes.length);
  view.set(bytes);
  return view;
}

const WORDS = ['loss', 'step', 'Error', 'error:', 'No such', 'option', 'state_dict', '0.125', '|', '█', '✓', 'é', 'Größe', '🔨', '\r', '\n', '  ', 'it/s'];

/** Log-like text: words, numbers, bar blocks and multi-byte characters. */
function randomText(r: Rand, words: number): string {
  let s = '';
  for (let i = 0; i < words; i++) s += pickOf(r, WORDS) + (r() < 0.7 ? ' ' : '');
  return s;
}

/** Literals of `minLen`..`maxLen` bytes, some sharing a prefix or the end of another, some non-ASCII. */
function randomLiterals(r: Rand, minLen: number, maxLen: number): string[] {
  const out: string[] = [];
  const n = int(r, 1, 8);
  while (out.length < n) {
    const kind = r();
    const base = out.length > 0 ? pickOf(r, out) : '';
    let lit: string;
    if (kind < 0.25 && base) lit = base.slice(0, Math.min(base.length, minLen)) + randomText(r, 3); // shared prefix
    else if (kind < 0.4 && base) lit = base.slice(Math.floor(base.length / 2)) + randomText(r, 2); // overlaps another's end
    else lit = randomText(r, int(r, 1, 6));
    while (enc(lit).length < minLen) lit += pickOf(r, WORDS);
    while (enc(lit).length > maxLen) lit = lit.slice(0, -1);
    if (enc(lit).length >= minLen && !out.includes(lit)) out.push(lit);
  }
  return out;
}

/** Text with literals planted (whole or cut short) at random places, some at its very start and end. */
function plantedText(r: Rand, lits: readonly string[]): string {
  const parts: string[] = [];
  if (r() < 0.3) parts.push(pickOf(r, lits));
  const n = int(r, 0, 12);
  for (let i = 0; i < n; i++) {
    parts.push(randomText(r, int(r, 0, 30)));
    const lit = pickOf(r, lits);
    parts.push(r() < 0.3 ? lit.slice(0, -1) : lit);
  }
  if (r() < 0.3) parts.push(pickOf(r, lits));
  return parts.join('');
}

interface Search {
  next(bytes: Uint8Array, from: number, to: number): number;
}

/** For random texts, offsets and ranges, `search` gives the naive first occurrence, and every one after it. */
function agreesWithNaive(seed: number, rounds: number, minLen: number, maxLen: number, make: (lits: Uint8Array[]) => Search): void {
  const r = prng(seed);
  for (let round = 0; round < rounds; round++) {
    const lits = randomLiterals(r, minLen, maxLen);
    const bytes = placed(enc(plantedText(r, lits)), int(r, 0, 3), int(r, 0, 7));
    const encoded = lits.map(enc);
    const search = make(encoded);
    const ranges: Array<[number, number]> = [[0, bytes.length]];
    for (let i = 0; i < 4; i++) {
      const a = int(r, 0, bytes.length);
      ranges.push([a, int(r, a, bytes.length)]);
    }
    for (const [from, to] of ranges) {
      const where = { seed, round, literals: lits, text: new TextDecoder().decode(bytes), byteOffset: bytes.byteOffset, from, to };
      expect({ ...where, found: search.next(bytes, from, to) }).toEqual({ ...where, found: naiveFirst(bytes, encoded, from, to) });
    }
    // Every occurrence in turn, as the scanner asks for the next hit after a line.
    const all: number[] = [];
    const expected: number[] = [];
    for (let p = search.next(bytes, 0, bytes.length); p >= 0 && all.length < 500; p = search.next(bytes, p + 1, bytes.length)) all.push(p);
    for (let p = naiveFirst(bytes, encoded, 0, bytes.length); p >= 0 && expected.length < 500; p = naiveFirst(bytes, encoded, p + 1, bytes.length)) expected.push(p);
    expect({ seed, round, literals: lits, all }).toEqual({ seed, round, literals: lits, all: expected });
  }
}

const sampled = (lits: Uint8Array[]): Search => {
  const s = SampledSearch.of(lits);
  if (!s) throw new Error(`no sampled search for literals of ${Math.min(...lits.map((l) => l.length))} bytes`);
  return s;
};
const multi = (lits: Uint8Array[]): Search => {
  const m = new ByteSearch(lits.map((l) => new TextDecoder().decode(l)));
  return { next: (b, from, to) => m.inBytes(b)(from, to) };
};

describe('SampledSearch', () => {
  it('samples only literal sets of 7 bytes or more, with a stride of a whole number of aligned words', () => {
    expect(SampledSearch.of([enc('abcdef'), enc('abcdefghijkl')])).toBeNull();
    expect(SampledSearch.of([enc('abcdefg')])?.stride).toBe(4);
    expect(SampledSearch.of([enc('abcdefghijk')])?.stride).toBe(8);
    expect(SampledSearch.of([enc('Error: No such option'), enc('CUDA out of memory')])?.stride).toBe(12);
  });

  it('finds exactly the first occurrence over random texts, byte offsets 0-3 and ranges, as a naive search does', () => {
    agreesWithNaive(1, 400, 7, 12, sampled);
    agreesWithNaive(2, 300, 12, 40, sampled);
  });

  it('finds a literal at the very start and the very end of the range, not one the range cuts', () => {
    const lit = enc('CUDA out of memory');
    for (const offset of [0, 1, 2, 3]) {
      for (const pad of [0, 1, 2, 3, 4, 5, 9]) {
        const text = placed(enc('x'.repeat(pad) + 'CUDA out of memory' + 'y'.repeat(pad)), offset);
        const s = sampled([lit]);
        const where = { offset, pad };
        expect({ ...where, at: s.next(text, pad, pad + lit.length) }).toEqual({ ...where, at: pad });
        expect({ ...where, at: s.next(text, pad + 1, text.length) }).toEqual({ ...where, at: -1 });
        expect({ ...where, at: s.next(text, 0, pad + lit.length - 1) }).toEqual({ ...where, at: -1 });
        expect({ ...where, at: s.next(text, pad, pad) }).toEqual({ ...where, at: -1 });
      }
    }
  });

  it('returns the earliest start when occurrences overlap or share a prefix', () => {
    const lits = ['aaaaaaaaa', 'Error: No such option', 'No such option set', 'Error: No such file', 'Error: Option'].map(enc);
    for (const text of ['aaaaaaaaaaaaaaaaaaaa', 'Error: No such option set', 'x Error: No such file or option', 'Error: Optio Error: Option']) {
      for (const offset of [0, 1, 2, 3]) {
        const bytes = placed(enc(text), offset);
        expect({ text, offset, at: sampled(lits).next(bytes, 0, bytes.length) }).toEqual({ text, offset, at: naiveFirst(bytes, lits, 0, bytes.length) });
      }
    }
  });

  it('finds UTF-8 literals in UTF-8 text at their byte offsets', () => {
    const lits = ['✓ Initialized.', '🔨 Created mount', 'Größe überschritten'].map(enc);
    const text = enc('██████▌ 42% ✓ Initialize ├── 🔨 Created mount /root ✓ Initialized. Größe überschritten');
    for (const offset of [0, 1, 2, 3]) {
      const bytes = placed(text, offset);
      const first = sampled(lits).next(bytes, 0, bytes.length);
      expect(new TextDecoder().decode(bytes.subarray(first, first + 18))).toBe('🔨 Created mount');
      expect(sampled(lits).next(bytes, first + 1, bytes.length)).toBe(naiveFirst(bytes, lits, first + 1, bytes.length));
    }
  });
});

describe('ByteSearch.inBytes', () => {
  it('finds the first occurrence through the sampled search when every literal has 7 bytes or more', () => {
    agreesWithNaive(3, 200, 7, 30, multi);
  });

  it('finds the first occurrence with Wu-Manber when a literal is shorter than 7 bytes', () => {
    agreesWithNaive(4, 300, 2, 6, multi);
    agreesWithNaive(5, 300, 3, 20, multi);
  });

  it('searches what a reused buffer holds now, not what it held at the last search', () => {
    // A pipe reader refills the same buffer: the second search must read the new bytes.
    for (const lits of [['CUDA out of memory'], ['NaN', 'Loss is NaN']]) {
      const search = multi(lits.map(enc));
      const buffer = Buffer.from('step 7: loss NaN; CUDA out of memory');
      expect(search.next(buffer, 0, buffer.length)).toBe(naiveFirst(buffer, lits.map(enc), 0, buffer.length));
      buffer.fill(0x2e);
      expect({ lits, at: search.next(buffer, 0, buffer.length) }).toEqual({ lits, at: -1 });
    }
  });

  it('finds the first of two occurrences on one line with literals of different lengths', () => {
    // A longer literal's search window need not be its start: the first start still wins.
    const search = multi(['NaN', 'Loss is NaN'].map(enc));
    const bytes = placed(enc('step 7: Loss is NaN'), 1);
    expect(search.next(bytes, 0, bytes.length)).toBe(8);
  });
});
