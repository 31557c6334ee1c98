/**
 * Cuts long command output to a character budget for the model while keeping what diagnoses a
 * failure. In order of claim on the budget:
 *   1. the last Python traceback: its header, last frames, the exception line and the
 *      tab-indented lines that continue it (state_dict key lists, torch.load's explanation);
 *   2. the first strong error line, since a build's first error is its cause and the rest
 *      cascade from it;
 *   3. every other distinct error (lines that differ only in numbers or ids are one error,
 *      so 400 identical episode crashes cost one line), latest first, then earlier tracebacks;
 *   4. the tail (how it ended) and the head (what ran).
 * Progress-bar redraws (`\r`) are reduced to what a terminal would show.
 */

/** An error line in its own right: exception lines, `ERROR:`, compiler errors, tool failures. */
export const STRONG =
  /^\s*(?:[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)\b:?|(?:error|ERROR|Error|FATAL|fatal|E)\b\s*[:!]|Traceback \(most recent|FAILED\b|Killed\b|Segmentation fault|panic:|Episode error:)|:\s*(?:fatal )?error\b|\bfatal error\b|\berror (?:TS|C)\d+|\berror\[E\d+\]|Token missing|uncaught exception|No module named|timed out|failed with|\bfailed\.$|core dumped/;
/** Mentions an error without being one (`... without error`, `error rate 0.1`). */
const WEAK = /error|Error|ERROR|exception|Exception|fail|FAIL|Killed/;
export const TRACEBACK_START = /^\s*Traceback \(most recent call last\):/;
/** Room for one `[... N lines cut ...]` marker. */
const MARK = 32;
const marker = (n: number): string => `[... ${n} line${n === 1 ? '' : 's'} cut ...]`;
/** Lines that differ only in numbers, hex ids or quoted values are the same error. */
const signature = (l: string): string => l.replace(/\b[0-9a-f]{6,}\b|[A-Za-z0-9]*\d[A-Za-z0-9]*/gi, '#').trim();
/** What a terminal shows of a line redrawn with carriage returns: its last redraw. */
const lastRedraw = (l: string): string => {
  if (!l.includes('\r')) return l;
  const parts = l.split('\r').filter((p) => p.length > 0);
  return parts.at(-1) ?? '';
};

/** The index of the exception line that ends the traceback starting at `start`. */
function tracebackEnd(lines: string[], start: number): number {
  for (let j = start + 1; j < lines.length && j < start + 400; j++) {
    const l = lines[j]!;
    // Frames and source lines are indented; the exception line is the first that is not.
    if (l.length > 0 && !/^\s/.test(l) && !l.startsWith('During handling') && !l.startsWith('The above exception')) return j;
  }
  return Math.min(lines.length - 1, start + 1);
}

/** The end (exclusive) of an exception message continued on tab-indented lines. */
function continuationEnd(lines: string[], end: number): number {
  let j = end + 1;
  while (j < lines.length && j <= end + 12 && lines[j]!.startsWith('\t')) j++;
  return j;
}

export function cutOutput(text: string, budgetChars: number): string {
  if (text.length <= budgetChars) return text;
  if (budgetChars < 8 * MARK) return `${text.slice(0, Math.max(0, budgetChars - MARK))}\n${marker(1)}`;
  // A single huge line (minified JSON, a long list) must not eat the budget.
  const maxLine = Math.max(120, Math.floor(budgetChars / 12));
  const lines = text.split('\n').map((raw) => {
    const l = lastRedraw(raw);
    return l.length > maxLine ? `${l.slice(0, maxLine)} [... ${l.length - maxLine} chars cut]` : l;
  });
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
  const takeTraceback = (s: number, limit: number) => {
    const end = tracebackEnd(lines, s);
    if (!take(end, continuationEnd(lines, end), limit) && !take(end, end + 1, limit)) return;
    take(s, s + 1, limit);
    // The final frames; fewer if the budget is tight.
    for (const frames of [10, 4, 2]) if (take(Math.max(s + 1, end - frames), end, limit)) break;
  };

  // Errors may claim all but what the head and tail need to say what ran and how it ended.
  const errorLimit = Math.floor(budgetChars * 0.7);
  const starts: number[] = [];
  const strong = new Map<string, { first: number; latest: number }>();
  const weak = new Map<string, number>();
  lines.forEach((l, i) => {
    if (TRACEBACK_START.test(l)) starts.push(i);
    else if (STRONG.test(l)) {
      const sig = signature(l);
      const seen = strong.get(sig);
      if (seen) seen.latest = i;
      else strong.set(sig, { first: i, latest: i });
    } else if (WEAK.test(l)) weak.set(signature(l), i);
  });
  const last = starts.at(-1);
  if (last !== undefined) takeTraceback(last, errorLimit);
  const firstStrong = Math.min(...[...strong.values()].map((e) => e.first));
  if (Number.isFinite(firstStrong) && !take(firstStrong - 1, firstStrong + 2, errorLimit)) take(firstStrong, firstStrong + 1, errorLimit);
  const latestFirst = [...strong.values()].map((e) => e.latest).sort((a, b) => b - a);
  for (const e of latestFirst) if (!take(e - 2, e + 3, errorLimit)) take(e, e + 1, errorLimit);
  for (const s of starts.slice(0, -1).reverse()) takeTraceback(s, errorLimit);
  for (const e of [...weak.values()].sort((a, b) => b - a)) take(e, e + 1, errorLimit);

  // The tail, line by line, up to 70% of what is left; then the head with the rest.
  const tailLimit = used + Math.floor((budgetChars - used) * 0.7);
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
