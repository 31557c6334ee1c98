/**
 * What a log record adds around its message, recognised and removed: ANSI codes, the fragment
 * of a tqdm bar that shares the line (tqdm redraws with "\r" and no newline, so the next record
 * is written after the bar), and the prefixes of common loggers. Each test is anchored and
 * guarded by a cheap look at the line, so a plain line costs a few character reads.
 */

// CSI sequences (colours, cursor moves, erase), OSC sequences (hyperlinks, titles), lone ESC pairs.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/g;

export function stripAnsi(line: string): string {
  return line.indexOf('\x1b') < 0 ? line : line.replace(ANSI, '');
}

// tqdm's default bar: `{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}{postfix}]`,
// and without a total: `{desc}: {n_fmt}{unit} [{elapsed}, {rate_fmt}{postfix}]`.
const BAR = /^(?:[^|\n]*?: )?\s*(?:\d{1,3}%\|[^|]*\|\s*[\d.]+[kMGT]?\/[\d.]+[kMGT]?\s*\[[^\]]*\]|[\d.]+[kMGT]?it \[[^\]]*(?:it\/s|s\/it)\])/;

/** The line without tqdm bar fragments before its text; a line that is only a bar is kept. */
export function stripBars(line: string): string {
  // Every rate tqdm writes holds a '/': most lines are passed on after one read.
  if (line.indexOf('/') < 0 || (line.indexOf('it/s]') < 0 && line.indexOf('s/it]') < 0 && line.indexOf('?it/s') < 0)) return line;
  let rest = line;
  for (let m = BAR.exec(rest); m && m[0].length > 0 && m[0].length < rest.length; m = BAR.exec(rest)) rest = rest.slice(m[0].length);
  // tqdm pads a redraw with spaces over the longer bar before it: they are not the text's.
  return rest === line ? rest : rest.replace(/^ +/, '');
}

// Longest first: an alternation takes the first that matches.
const LEVEL = '(?:WARNING|WARN|DEBUG|INFO|ERROR|CRITICAL|FATAL|TRACE|NOTICE)';
const TIME = '\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d+)?';
const STAMP = `(?:\\d{4}-\\d{2}-\\d{2}[T ])?${TIME}(?:Z|[+-]\\d{2}:?\\d{2})?`;

/** Built-in prefixes, tried in order; the message is what follows the match. */
export const BUILTIN_PREFIXES: RegExp[] = [
  // An optional line-number column (cloud log exporters), Modal's `[modal-client]` (or, before
  // modal 0.74.49, the thread name) as its `%(asctime)s %(message)s` pattern writes it, a timestamp
  // (bare or bracketed), then optionally a logger name and level as Python's common formats put
  // them: `%(asctime)s [%(levelname)s]`, `%(asctime)s - %(name)s - %(levelname)s -`,
  // `%(asctime)s %(levelname)s`, loguru's `| LEVEL    | module:function:line -`.
  new RegExp(
    `^(?:\\s*\\d+\\s+(?=[\\[\\d]))?(?:\\[[\\w.-]+\\]\\s*)?(?:\\[${STAMP}\\]|${STAMP})` +
      `(?:\\s*(?:[-|]\\s*)?(?:[\\w.<>-]+\\s+-\\s+)?\\[?${LEVEL}\\]?(?:\\s*[-|:])?(?:\\s*[\\w.<>]+:[\\w.<>]+:\\d+ -)?)?[ \\t]*`,
  ),
  // logging.basicConfig's default `%(levelname)s:%(name)s:%(message)s`.
  new RegExp(`^${LEVEL}:[\\w.<>-]+:`),
  // absl / glog: `I0101 12:00:00.123456  1234 file.py:12] `.
  /^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+ [\w.<>-]+:\d+\] /,
  // vLLM's `%(levelname)s %(asctime)s [%(filename)s:%(lineno)d]`, behind its process prefix
  // `(APIServer pid=4)` when a server runs in the container.
  new RegExp(`^(?:\\(\\w+ pid=\\d+\\)\\s+)?${LEVEL} \\d{2}-\\d{2} ${TIME} \\[[\\w.<>-]+:\\d+\\] `),
  // A bracketed level alone, and Modal's client prefix without a time.
  new RegExp(`^\\[${LEVEL}\\] `),
  /^\[modal-client\] /,
];

/** Capitals a prefix can start with: a level's (DEBUG ... NOTICE) or absl's [IWEF]. */
const LEVEL_INITIALS = new Set([...'DIWECFTN'].map((c) => c.charCodeAt(0)));

/**
 * Whether a built-in prefix (or a Rich record) can start the line, read off its first two
 * characters; any other line is returned unread. After a capital comes a capital (a level) or a
 * digit (absl), so `Current ...` or `Task: ...` cost two reads.
 */
export function mayHavePrefix(line: string): boolean {
  const c = line.charCodeAt(0);
  if (c >= 65 && c <= 90) {
    const d = line.charCodeAt(1);
    return LEVEL_INITIALS.has(c) && ((d >= 65 && d <= 90) || (d >= 48 && d <= 57));
  }
  return (c >= 48 && c <= 57) || c === 91 /* [ */ || c === 40 /* ( */ || c === 32 || c === 9;
}

/** The message after a playbook's own prefix (its `message` group, else what follows), if one matches. */
export function customMessage(line: string, custom: readonly RegExp[]): string | undefined {
  for (const re of custom) {
    const m = re.exec(line);
    if (m && m.index === 0) return m.groups?.message ?? line.slice(m[0].length);
  }
  return undefined;
}

/** The message of a log record: the line without the first built-in prefix that matches it. */
export function stripPrefix(line: string): string {
  if (!mayHavePrefix(line)) return line;
  for (const re of BUILTIN_PREFIXES) {
    const m = re.exec(line);
    if (m && m[0].length > 0) return line.slice(m[0].length);
  }
  return line;
}
