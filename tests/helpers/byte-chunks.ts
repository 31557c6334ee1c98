import { prng } from '../../bench/generators/log-noise.js';

/**
 * Inputs for the byte-level search and the trigger scanner: seeded random choices (the bench's
 * mulberry32, so a failure reproduces from its seed), random chunkings of a byte stream as a
 * pipe may deliver it, and the delivery itself in two alternating buffers, as a reader that
 * reuses its buffers hands them on.
 */
export { prng };

export type Rand = () => number;

export const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
export const pickOf = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

/**
 * Chunk ends for `bytes`: sizes from 1 byte to `max`, with a skew to small ones, and some cuts
 * placed on purpose inside a UTF-8 character or between the "\r" and "\n" of a line end.
 */
export function randomCuts(bytes: Uint8Array, r: Rand, max = 64 * 1024): number[] {
  const cuts: number[] = [];
  let at = 0;
  while (at < bytes.length) {
    const size = r() < 0.5 ? int(r, 1, 64) : r() < 0.7 ? int(r, 1, 4096) : int(r, 1, max);
    let end = Math.min(bytes.length, at + size);
    if (r() < 0.5) end = awkwardCutNear(bytes, end) ?? end;
    if (end <= at) end = at + 1;
    cuts.push(end);
    at = end;
  }
  return cuts;
}

/** A cut a few bytes on from `at` that splits a multi-byte character or a "\r\n", if there is one. */
function awkwardCutNear(bytes: Uint8Array, at: number): number | undefined {
  for (let i = at; i < Math.min(bytes.length - 1, at + 256); i++) {
    const b = bytes[i] as number;
    if ((b & 0xc0) === 0x80 || (b === 10 && bytes[i - 1] === 13)) return i;
  }
  return undefined;
}

/**
 * Hands `bytes` to `push` cut at `cuts`, each chunk copied into one of two buffers that take
 * turns, as bench/matcher.ts reads a file: a chunk stays intact while the next one is pushed,
 * then its buffer is wiped and refilled.
 */
export function pushInTwoBuffers(bytes: Uint8Array, cuts: readonly number[], push: (chunk: Uint8Array) => void): void {
  const size = Math.max(1, ...cuts.map((c, i) => c - (i > 0 ? (cuts[i - 1] as number) : 0)));
  const buffers = [Buffer.alloc(size), Buffer.alloc(size)];
  let from = 0;
  cuts.forEach((end, i) => {
    const buffer = buffers[i & 1] as Buffer;
    buffer.fill(0x23); // the chunk two reads ago is gone
    buffer.set(bytes.subarray(from, end));
    push(buffer.subarray(0, end - from));
    from = end;
  });
}
