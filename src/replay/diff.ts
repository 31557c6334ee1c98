import type { TraceItem } from './trace.js';

/** One place where the replay's decisions part from the recorded ones. */
export interface Difference {
  /** The step the recorded run was in (or the replay's, when the recording has nothing there). */
  step: string;
  recorded: TraceItem[];
  replayed: TraceItem[];
}

/** Above this many cells the middle is not aligned item by item; it is reported as one difference. */
const MAX_CELLS = 4_000_000;

/**
 * Aligns two traces (longest common subsequence on their keys) and returns the runs of items
 * that only one side has. Common head and tail are cut first, so the usual case (a few changed
 * decisions in a long run) stays cheap.
 */
export function diffTraces(recorded: TraceItem[], replayed: TraceItem[]): Difference[] {
  let head = 0;
  while (head < recorded.length && head < replayed.length && recorded[head]!.key === replayed[head]!.key) head++;
  let tail = 0;
  while (
    tail < recorded.length - head &&
    tail < replayed.length - head &&
    recorded[recorded.length - 1 - tail]!.key === replayed[replayed.length - 1 - tail]!.key
  ) {
    tail++;
  }
  const a = recorded.slice(head, recorded.length - tail);
  const b = replayed.slice(head, replayed.length - tail);
  if (a.length === 0 && b.length === 0) return [];
  const context = recorded[head - 1] ?? replayed[head - 1];
  if ((a.length + 1) * (b.length + 1) > MAX_CELLS) return [hunk(a, b, context)];
  return alignedHunks(a, b, context);
}

function hunk(a: TraceItem[], b: TraceItem[], before: TraceItem | undefined): Difference {
  return { step: a[0]?.step ?? b[0]?.step ?? before?.step ?? '', recorded: a, replayed: b };
}

function alignedHunks(a: TraceItem[], b: TraceItem[], before: TraceItem | undefined): Difference[] {
  const n = a.length;
  const m = b.length;
  const w = m + 1;
  // lcs[i*w+j]: length of the common subsequence of a[i..] and b[j..].
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = a[i]!.key === b[j]!.key ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
    }
  }
  const out: Difference[] = [];
  let cur: { a: TraceItem[]; b: TraceItem[] } = { a: [], b: [] };
  let last = before;
  const flush = () => {
    if (cur.a.length + cur.b.length > 0) out.push(hunk(cur.a, cur.b, last));
    cur = { a: [], b: [] };
  };
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i]!.key === b[j]!.key) {
      flush();
      last = a[i];
      i++;
      j++;
    } else if (j >= m || (i < n && lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!)) {
      cur.a.push(a[i++]!);
    } else {
      cur.b.push(b[j++]!);
    }
  }
  flush();
  return out;
}

/** The first line where two prompt texts differ, for a short report. */
export function firstDifferentLine(x: string, y: string): { line: number; recorded: string; replayed: string } | undefined {
  const xs = x.split('\n');
  const ys = y.split('\n');
  for (let k = 0; k < Math.max(xs.length, ys.length); k++) {
    if (xs[k] !== ys[k]) return { line: k + 1, recorded: xs[k] ?? '(end)', replayed: ys[k] ?? '(end)' };
  }
  return undefined;
}
