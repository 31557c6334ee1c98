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
  if (line.indexOf('it/s]') < 0 && line.indexOf('s/it]') < 0 && line.indexOf('?it/s') < 0) return line;
  let rest = line;
  for (let m = BAR.exec(rest); m && m[0].length > 0 && m[0].length < rest.length; m = BAR.exec(rest)) rest = rest.slice(m[0].length);
  return rest;
}

// Longest first: an alternation takes the first that matches.
const LEVEL = '(?:WARNING|WARN|DEBUG|INFO|ERROR|CRITICAL|FATAL|TRACE|NOTICE)';
const TIME = '\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d+)?';
const STAMP = `(?:\\d{4}-\\d{2}-\\d{2}[T ])?${TIME}(?:Z|[+-]\\d{2}:?\\d{2})?`;

/** Built-in prefixes, tried in order; the message is what follows the match. */
export const BUILTIN_PREFIXES: RegExp[] = [
  // An optional line-number column (cloud log exporters), Modal's `[modal-client]`, a timestamp
  // (bare or bracketed), then optionally a logger name and level as Python's common formats put
  // them: `%(asctime)s [%(levelname)s]`, `%(asctime)s - %(name)s - %(levelname)s -`,
  // `%(asctime)s %(levelname)s`, loguru's `| LEVEL    | module:function:line -`.
  new RegExp(
    `^(?:\\s*\\d+\\s+(?=[\\[\\d]))?(?:\\[modal-client\\]\\s*)?(?:\\[${STAMP}\\]|${STAMP})` +
      `(?:\\s*(?:[-|]\\s*)?(?:[\\w.<>-]+\\s+-\\s+)?\\[?${LEVEL}\\]?(?:\\s*[-|:])?(?:\\s*[\\w.<>]+:[\\w.<>]+:\\d+ -)?)?[ \\t]*`,
  ),
  // logging.basicConfig's default `%(levelname)s:%(name)s:%(message)s`.
  new RegExp(`^${LEVEL}:[\\w.<>-]+:`),
  // absl / glog: `I0101 12:00:00.123456  1234 file.py:12] `.
  /^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+ [\w.<>-]+:\d+\] /,
  // A bracketed level alone, and Modal's client prefix without a time.
  new RegExp(`^\\[${LEVEL}\\] `),
  /^\[modal-client\] /,
];

/** First characters a built-in prefix can start with; any other line is returned unread. */
export function mayHavePrefix(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 91 /* [ */ || c === 32 || c === 9 || (c >= 65 && c <= 90 && 'DIWECFTN'.includes(String.fromCharCode(c)));
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
  if (line.length === 0 || !mayHavePrefix(line.charCodeAt(0))) return line;
  for (const re of BUILTIN_PREFIXES) {
    const m = re.exec(line);
    if (m && m[0].length > 0) return line.slice(m[0].length);
  }
  return line;
}
