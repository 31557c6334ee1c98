/**
 * Cuts long command output to a character budget for the model while keeping what diagnoses a
 * failure: the head (what ran), the tail (how it ended) and windows around error lines. A
 * Python traceback keeps its header, its last frames and the final exception line, since that
 * is where the root cause is, even when thousands of lines of noise follow it.
 */

const ERROR_LINE = /Traceback|Error|error:|FAILED|Exception|Killed/;
const TRACEBACK_START = /^\s*Traceback \(most recent call last\):/;
/** Room for one `[... N lines cut ...]` marker. */
const MARK = 32;

const marker = (n: number): string => `[... ${n} line${n === 1 ? '' : 's'} cut ...]`;

/** The index of the exception line that ends the traceback starting at `start`. */
function tracebackEnd(lines: string[], start: number): number {
  for (let j = start + 1; j < lines.length && j < start + 400; j++) {
    const l = lines[j]!;
    // Frames and source lines are indented; the exception line is the first that is not.
    if (l.length > 0 && !/^\s/.test(l) && !l.startsWith('During handling') && !l.startsWith('The above exception')) return j;
  }
  return Math.min(lines.length - 1, start + 1);
}

export function cutOutput(text: string, budgetChars: number): string {
  if (text.length <= budgetChars) return text;
  if (budgetChars < 8 * MARK) return `${text.slice(0, Math.max(0, budgetChars - MARK))}\n${marker(1)}`;

  // A single huge line (progress bars, minified JSON) must not eat the budget.
  const maxLine = Math.max(120, Math.floor(budgetChars / 12));
  const lines = text
    .split('\n')
    .map((l) => (l.length > maxLine ? `${l.slice(0, maxLine)} [... ${l.length - maxLine} chars cut]` : l));
  const n = lines.length;
  const keep = new Uint8Array(n);
  // Two markers may be needed around the head and the tail whatever else is kept.
  let used = 2 * MARK;

  /** Keeps lines [from, to) if all of them (plus one marker) fit under `limit`. */
  const take = (from: number, to: number, limit: number): boolean => {
    const a = Math.max(0, from);
    const b = Math.min(n, to);
    let add = MARK;
    for (let i = a; i < b; i++) if (!keep[i]) add += lines[i]!.length + 1;
    if (used + add > limit) return false;
    for (let i = a; i < b; i++) keep[i] = 1;
    used += add;
    return true;
  };

  // 1. Windows around errors, up to half the budget: tracebacks first, latest first, then
  //    other error lines, latest first (the last failure is usually the one that stopped the run).
  const windowLimit = Math.floor(budgetChars / 2);
  const starts: number[] = [];
  const errors: number[] = [];
  lines.forEach((l, i) => {
    if (TRACEBACK_START.test(l)) starts.push(i);
    else if (ERROR_LINE.test(l)) errors.push(i);
  });
  for (const s of starts.reverse()) {
    const end = tracebackEnd(lines, s);
    take(s, s + 1, windowLimit);
    // The final frames and the exception line; fewer frames if the budget is tight.
    for (const frames of [10, 4, 0]) if (take(Math.max(s + 1, end - frames), end + 2, windowLimit)) break;
  }
  for (const e of errors.reverse()) if (!take(e - 2, e + 3, windowLimit)) take(e, e + 1, windowLimit);

  // 2. The tail, line by line, up to 60% of what is left; 3. the head with the rest.
  const tailLimit = used + Math.floor((budgetChars - used) * 0.6);
  for (let i = n - 1; i >= 0; i--) {
    if (keep[i]) continue;
    const add = lines[i]!.length + 1;
    if (used + add > tailLimit) break;
    keep[i] = 1;
    used += add;
  }
  for (let i = 0; i < n; i++) {
    if (keep[i]) continue;
    const add = lines[i]!.length + 1;
    if (used + add > budgetChars) break;
    keep[i] = 1;
    used += add;
  }

  const out: string[] = [];
  let cut = 0;
  for (let i = 0; i < n; i++) {
    if (keep[i]) {
      if (cut) out.push(marker(cut));
      cut = 0;
      out.push(lines[i]!);
    } else cut++;
  }
  if (cut) out.push(marker(cut));
  return out.join('\n');
}
