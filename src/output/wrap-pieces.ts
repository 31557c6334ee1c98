import { ByteSearch } from '../engine/byte-search.js';

/**
 * What the trigger scanner searches command output for: each literal up to its first space at
 * MIN_PIECE bytes or later, the piece a row still holds whole when a console wraps the literal
 * further on (at a space, as Rich and Modal's console do); the hit's window then joins the rows
 * back. A shorter piece would be too common to search for: a wrap within a literal's first
 * MIN_PIECE bytes goes unseen.
 */

const MIN_PIECE = 11;
const NL = 10;
const CR = 13;
const SPACE = 32;
const COLON = 58;

export function wrapSafe(literal: string): string {
  const space = literal.indexOf(' ', MIN_PIECE);
  return space < 0 ? literal : literal.slice(0, space);
}

export interface PieceSearch {
  search: ByteSearch;
  /** Per piece of `search`: the literals it was cut from, or null when it is one of them whole. */
  wholes: Array<Buffer[] | null>;
}

const searches = new WeakMap<readonly string[], PieceSearch>();

export function pieceSearch(literals: readonly string[]): PieceSearch {
  let found = searches.get(literals);
  if (!found) {
    const pieces = [...new Set(literals.map(wrapSafe))];
    const wholes = pieces.map((p) => (literals.includes(p) ? null : literals.filter((l) => wrapSafe(l) === p).map((l) => Buffer.from(l))));
    searches.set(literals, (found = { search: new ByteSearch(pieces), wholes }));
  }
  return found;
}

/**
 * Whether the row holding `piece`'s hit at `at` may hold one of its literals: whole, or wrapped,
 * the row then ending (at a space of the literal) where the literal parts from it, save for the
 * padding and `file.py:12` source column Rich puts at a row's right.
 */
export function mayHoldLiteral(b: Buffer, at: number, wholes: Buffer[] | null): boolean {
  if (!wholes) return true;
  for (const lit of wholes) {
    let j = 0;
    while (j < lit.length && b[at + j] === lit[j]) j++;
    if (j === lit.length) return true;
    if ((lit[j] === SPACE || lit[j - 1] === SPACE) && endsRow(b, at + j)) return true;
  }
  return false;
}

/** Spaces, a Rich source column, spaces, then the row's end. */
function endsRow(b: Buffer, i: number): boolean {
  while (b[i] === SPACE) i++;
  const name = i;
  while (i < b.length && isNameByte(b[i] as number)) i++;
  if (i > name) {
    if (b[i++] !== COLON) return false;
    const digits = i;
    while ((b[i] as number) >= 48 && (b[i] as number) <= 57) i++;
    if (i === digits) return false;
    while (b[i] === SPACE) i++;
  }
  if (b[i] === CR) i++;
  return b[i] === NL;
}

/** A byte of a source file's name as Rich shows it: [\w.<>-]. */
function isNameByte(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 60 || c === 62 || c === 45;
}
