/**
 * A normal form of an error line, so that "the same error N times in a row" is recognised
 * although each occurrence differs in sizes, addresses, ids, paths and times. It keeps what
 * identifies the error: the exception type, the words of the message and quoted names (a
 * missing module 'prismatic' is not the same error as a missing module 'experiments').
 */

import { errorLine } from './error-line.js';

const MAX = 300;

const RULES: Array<[RegExp, string]> = [
  // Terminal colour codes (ESC is the point of this pattern).
  // eslint-disable-next-line no-control-regex
  [/\x1b\[[0-9;]*[A-Za-z]/g, ''],
  // ISO-like timestamps and clock times, with optional fraction and zone.
  [/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?/g, '<time>'],
  [/\b\d{1,2}:\d{2}:\d{2}(\.\d+)?\b/g, '<time>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>'],
  [/\b0x[0-9a-fA-F]+\b/g, '<addr>'],
  // Modal object ids (im-, ap-, in-, fc-, ta-, sb-, vo-) and other long hex or base62 tokens.
  [/\b(im|ap|in|fc|ta|sb|vo|mo|de)-[A-Za-z0-9]{6,}\b/g, '$1-<id>'],
  [/\b(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{12,}\b/g, '<hex>'],
  // Sizes: "324.00 MiB", "39.39 GiB", "12GB", "512 bytes".
  [/\b\d+(\.\d+)?\s?([KMGTP]i?B|bytes|B)\b/g, '<size>'],
  // A path keeps its file name (which says where) but not its directories (which vary by machine).
  [/(?:[A-Za-z]:)?(?:\/[\w.@+~-]+)+\/([\w.@+-]+)/g, '<dir>/$1'],
  // Remaining numbers, including those glued to units ("2700s") or inside names ("layers.3").
  [/(?<![A-Za-z_])[-+]?\d+(\.\d+)?([eE][-+]?\d+)?/g, '<n>'],
  [/\s+/g, ' '],
];

export function errorSignature(line: string): string {
  let s = line;
  for (const [re, to] of RULES) s = s.replace(re, to);
  s = s.trim();
  return s.length > MAX ? s.slice(0, MAX) : s;
}

/** What a failed attempt left behind: the command's output excerpt, the trigger hits, the failed gate. */
export interface FailureEvidence {
  tail: readonly string[];
  hits: ReadonlyArray<{ line: string }>;
  detail?: string;
}

/**
 * The signature of a failed attempt, shared by the live engine (`repeated`) and transcript
 * coverage, so both count "the same error" alike: from the output's error line (the last
 * traceback's exception, else the first strong error), else the first line a rule matched,
 * else the failed gate's detail.
 */
export function failureSignature(e: FailureEvidence): string {
  return errorSignature(errorLine(e.tail) ?? e.hits[0]?.line ?? e.detail ?? '');
}
