import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type Path = ReadonlyArray<string | number>;

/** A 1-based position in a file. */
export interface Position {
  line: number;
  col: number;
}

/**
 * The YAML node at `path`, or the nearest existing parent when part of the path is missing
 * (a missing field is reported where its object starts). With `key`, the last segment's key
 * node is returned instead of its value: unknown keys are reported at the key itself.
 */
export function nodeAt(doc: Document, path: Path, key = false): { node: Node | null; exact: boolean } {
  let cur: Node | null = (doc.contents as Node | null) ?? null;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(cur)) {
      const pair = cur.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return { node: cur, exact: false };
      const keyNode = pair.key as Node;
      if (last && key) return { node: keyNode, exact: true };
      // `key:` with nothing after it has no value node; its key is the closest thing to point at.
      if (pair.value === null || pair.value === undefined) return { node: keyNode, exact: last };
      cur = pair.value as Node;
    } else if (isSeq(cur) && typeof seg === 'number' && cur.items[seg] !== undefined) {
      cur = cur.items[seg] as Node;
    } else {
      return { node: cur, exact: false };
    }
  }
  return { node: cur, exact: true };
}

/** Start offset of a node, or 0 (the top of the file) when there is none. */
export function startOf(node: Node | null): number {
  return node?.range?.[0] ?? 0;
}

function nthIndexOf(haystack: string, needle: string, n: number): number {
  let at = -1;
  for (let k = 0; k <= n; k++) {
    at = haystack.indexOf(needle, at + 1);
    if (at < 0) return -1;
  }
  return at;
}

function occurrencesBefore(haystack: string, needle: string, end: number): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at >= 0 && at < end; at = haystack.indexOf(needle, at + 1)) count++;
  return count;
}

/**
 * Source offset of character `index` of a scalar's value. Plain, quoted and block scalars keep
 * each line of the value verbatim in the source (indentation aside), so the value's line (or
 * the text after or before `index` on it) is searched for inside the node's source range.
 * Escapes or folding can defeat the search; then the node's start is close enough.
 */
export function offsetInScalar(source: string, node: Node | null, value: string, index: number): number {
  const start = startOf(node);
  const end = node?.range?.[1] ?? source.length;
  const raw = source.slice(start, end);
  const lineStart = value.lastIndexOf('\n', index - 1) + 1;
  const nl = value.indexOf('\n', index);
  const lineEnd = nl < 0 ? value.length : nl;
  const candidates: Array<[needle: string, from: number, shift: number]> = [
    [value.slice(lineStart, lineEnd), lineStart, index - lineStart],
    [value.slice(index, lineEnd), index, 0],
    [value.slice(lineStart, index), lineStart, index - lineStart],
  ];
  for (const [needle, from, shift] of candidates) {
    if (needle.length === 0) continue;
    const at = nthIndexOf(raw, needle, occurrencesBefore(value, needle, from));
    if (at >= 0) return start + at + shift;
  }
  return start;
}

export function positionOf(lines: LineCounter, offset: number): Position {
  const { line, col } = lines.linePos(offset);
  return { line, col };
}

/** Position of `index` in a plain text file (prompt files). */
export function positionInText(text: string, index: number): Position {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return { line, col: index - (before.lastIndexOf('\n') + 1) + 1 };
}
