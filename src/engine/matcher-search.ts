/**
 * Multi-literal search (Wu-Manber, blocks of two code units) over strings.
 * It skips ahead by up to (shortest literal - 1) positions per probe, so log text that contains
 * none of the literals is mostly jumped over rather than read; that is what lets a JS scan keep
 * up with grep. Units are folded to 7 bits for the shift table: a collision only costs a
 * shorter shift or a verification, never a missed literal.
 */

/**
 * A pair of units is folded to 14 bits (exact for ASCII): the 16 KiB shift table then stays in
 * the L1 cache, and each probe's latency (load text, load shift, add) is what bounds the scan.
 */
const BLOCKS = 1 << 14;
const blockOf = (a: number, b: number): number => ((a & 0x7f) << 7) | (b & 0x7f);

interface Table {
  m: number;
  /** How far past an occurrence's start the probe that finds it may lie. */
  reach: number;
  /** Where each literal's window of m units starts (chosen to end on a rare pair). */
  offsets: Uint32Array;
  shift: Uint8Array;
  /** Bucket per block value: literal indices whose m-prefix ends with that block. */
  bucketStart: Uint32Array;
  bucketItems: Uint32Array;
}

/** How common a pair of units is in log text: lower-case words, spaces and numbers are. */
export function pairCost(a: number, b: number): number {
  const cls = (c: number): number => (c >= 97 && c <= 122 ? 0 : c === 32 ? 1 : c >= 48 && c <= 57 ? 2 : c >= 65 && c <= 90 ? 3 : 4);
  const ca = cls(a);
  const cb = cls(b);
  if (ca === 4 || cb === 4) return 0;
  if (ca <= 1 && cb <= 1) return ca === 1 && cb === 1 ? 2 : 4;
  if (ca === 2 && cb === 2) return 3;
  return ca === 3 && cb === 0 ? 2 : 1;
}

/**
 * Every probe reads the pair ending a window of m units; a window ending on a common pair makes
 * the shift 0 (a verification) wherever that pair occurs. So each literal's window is placed
 * where its pairs, above all the last, are rarest.
 */
function bestOffset(u: number[], m: number): number {
  let best = 0;
  let bestCost = Infinity;
  for (let o = 0; o + m <= u.length; o++) {
    let cost = 0;
    for (let q = o + 1; q < o + m; q++) cost += pairCost(u[q - 1] as number, u[q] as number) * (q === o + m - 1 ? 8 : 1);
    if (cost < bestCost) [best, bestCost] = [o, cost];
  }
  return best;
}

function buildTable(units: number[][]): Table {
  const m = Math.min(255, ...units.map((u) => u.length));
  const shift = new Uint8Array(BLOCKS).fill(m - 1);
  const counts = new Uint32Array(BLOCKS + 1);
  const ends: number[] = [];
  const offsets = new Uint32Array(units.length);
  for (const [k, full] of units.entries()) {
    offsets[k] = bestOffset(full, m);
    const u = full.slice(offsets[k]);
    for (let q = 1; q < m; q++) {
      const block = blockOf(u[q - 1] as number, u[q] as number);
      shift[block] = Math.min(shift[block] as number, m - 1 - q);
    }
    const end = blockOf(u[m - 2] as number, u[m - 1] as number);
    ends.push(end);
    counts[end + 1]!++;
  }
  for (let i = 1; i <= BLOCKS; i++) counts[i]! += counts[i - 1] as number;
  const bucketStart = counts.slice();
  const fill = counts.slice(0, BLOCKS);
  const bucketItems = new Uint32Array(units.length);
  ends.forEach((end, k) => (bucketItems[fill[end]!++] = k));
  return { m, reach: Math.max(...offsets) + m, offsets, shift, bucketStart, bucketItems };
}

export class MultiLiteral {
  /** Index in `literals` of what the last search that found something found. */
  found = -1;
  private readonly strTable: Table;

  /** `literals` must each be at least 2 code units long. */
  constructor(readonly literals: readonly string[]) {
    this.strTable = buildTable(literals.map((l) => [...l].flatMap((c) => splitUnits(c))));
  }

  /** Calls `found` with the index of every literal the text holds (once per occurrence). */
  eachIn(text: string, found: (k: number) => void): void {
    this.nextInString(text, 0, text.length, found);
  }

  /**
   * Start of the first literal occurrence lying wholly inside text[from, to) (UTF-16 units), or
   * -1; given `each`, every occurrence's literal goes to it instead and the search runs on.
   */
  nextInString(text: string, from: number, to: number, each?: (k: number) => void): number {
    const { m, offsets, shift, bucketStart, bucketItems, reach } = this.strTable;
    let pos = from + m - 1;
    let best = -1;
    let end = to;
    while (pos < end) {
      const block = ((text.charCodeAt(pos - 1) & 0x7f) << 7) | (text.charCodeAt(pos) & 0x7f);
      const s = shift[block] as number;
      if (s !== 0) {
        pos += s;
        continue;
      }
      for (let b = bucketStart[block] as number, e = bucketStart[block + 1] as number; b < e; b++) {
        const k = bucketItems[b] as number;
        const lit = this.literals[k] as string;
        const start = pos - m + 1 - (offsets[k] as number);
        if (start >= from && start + lit.length <= to && text.startsWith(lit, start)) {
          if (each) each(k);
          else if (best < 0 || start < best) {
            // A literal placed further into its window may start earlier and be seen later.
            best = start;
            this.found = k;
            end = Math.min(to, start + reach);
          }
        }
      }
      pos++;
    }
    return best;
  }
}

function splitUnits(c: string): number[] {
  return c.length === 1 ? [c.charCodeAt(0)] : [c.charCodeAt(0), c.charCodeAt(1)];
}
