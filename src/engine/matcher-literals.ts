/**
 * Required-literal extraction for the matcher's prefilter: from a JS regex source, a set of
 * strings such that every match of the regex contains at least one of them. The analysis is
 * deliberately conservative (anything it does not understand breaks a literal run), because a
 * wrong set would make the matcher miss lines; a set that is merely weaker only costs speed.
 */

/** Literals shorter than this are too common to prefilter on; such rules are scanned by regex. */
export const MIN_LITERAL = 3;

type Item =
  | { kind: 'char'; ch: string; min: number; max: number }
  /** A small class of plain characters such as [Ll]: literal runs branch on it. */
  | { kind: 'set'; chars: string[]; min: number; max: number }
  | { kind: 'group'; set: string[] | null; exact: string | null; min: number; max: number }
  | { kind: 'other' };

/** Candidate: a set of literals, one of which every match contains. */
type Cand = string[];

const META = new Set([...'\\^$.|?*+()[]{}']);

class Parser {
  i = 0;
  constructor(readonly src: string) {}

  /** Parses an alternation up to ')' or end; returns the best candidate of each branch. */
  alternation(): { branches: Array<Cand | null>; exact: Array<string | null> } {
    const branches: Array<Cand | null> = [];
    const exact: Array<string | null> = [];
    for (;;) {
      const seq = this.sequence();
      branches.push(best(seq));
      exact.push(exactOf(seq));
      if (this.src[this.i] === '|') {
        this.i++;
        continue;
      }
      return { branches, exact };
    }
  }

  sequence(): Item[] {
    const items: Item[] = [];
    while (this.i < this.src.length) {
      const c = this.src[this.i] as string;
      if (c === '|' || c === ')') break;
      let item: Item;
      if (c === '\\') {
        const n = this.src[this.i + 1] ?? '';
        this.i += 2;
        // Escaped punctuation is literal; escaped letters and digits are classes, anchors, backrefs.
        item = /[A-Za-z0-9]/.test(n) || n === '' ? { kind: 'other' } : { kind: 'char', ch: n, min: 1, max: 1 };
      } else if (c === '[') {
        const start = this.i;
        this.skipClass();
        const body = this.src.slice(start + 1, this.i - 1);
        item = /^[A-Za-z0-9 _:'"]{1,4}$/.test(body) ? { kind: 'set', chars: [...new Set(body)], min: 1, max: 1 } : { kind: 'other' };
      } else if (c === '(') {
        item = this.group();
      } else if (c === '.' || c === '^' || c === '$' || c === '\n' || c === '\r') {
        this.i++;
        item = { kind: 'other' };
      } else if (c === '{' && !/^\{\d+(,\d*)?\}/.test(this.src.slice(this.i))) {
        this.i++;
        item = { kind: 'char', ch: c, min: 1, max: 1 };
      } else if (META.has(c) && c !== ']' && c !== '}') {
        // A quantifier with nothing to repeat: an invalid regex, which RegExp rejects anyway.
        this.i++;
        item = { kind: 'other' };
      } else {
        this.i++;
        item = { kind: 'char', ch: c, min: 1, max: 1 };
      }
      items.push(this.quantified(item));
    }
    return items;
  }

  private group(): Item {
    const rest = this.src.slice(this.i, this.i + 4);
    const look = /^\(\?(=|!|<=|<!)/.exec(rest);
    const named = /^\(\?<[A-Za-z_$]/.test(rest);
    this.i += look ? (look[0] as string).length : rest.startsWith('(?:') ? 3 : 1;
    if (named) this.i = this.src.indexOf('>', this.i) + 1;
    const inner = this.alternation();
    if (this.src[this.i] === ')') this.i++;
    if (look) return { kind: 'other' };
    // Every branch must contribute a literal, else the group proves nothing.
    const set = inner.branches.every((b) => b !== null) ? (inner.branches as Cand[]).flat() : null;
    const exact = inner.exact.length === 1 ? (inner.exact[0] ?? null) : null;
    return { kind: 'group', set, exact, min: 1, max: 1 };
  }

  private skipClass(): void {
    this.i++;
    if (this.src[this.i] === '^') this.i++;
    while (this.i < this.src.length && this.src[this.i] !== ']') this.i += this.src[this.i] === '\\' ? 2 : 1;
    this.i++;
  }

  private quantified(item: Item): Item {
    const q = /^(?:([*+?])|\{(\d+)(,(\d*))?\})\??/.exec(this.src.slice(this.i));
    if (!q || item.kind === 'other') {
      if (q) this.i += (q[0] as string).length;
      return item;
    }
    this.i += (q[0] as string).length;
    const min = q[1] === '*' || q[1] === '?' ? 0 : q[1] === '+' ? 1 : Number(q[2]);
    const max = q[1] === '+' || q[1] === '*' || (q[3] !== undefined && q[4] === '') ? Infinity : q[1] === '?' ? 1 : Number(q[4] ?? q[2]);
    return { ...item, min, max };
  }
}

/** The single string a sequence matches, if it is a plain literal. */
function exactOf(seq: Item[]): string | null {
  let s = '';
  for (const it of seq) {
    if (it.kind === 'other' || it.min !== 1 || it.max !== 1) return null;
    if (it.kind === 'char') s += it.ch;
    else if (it.kind === 'set') return null;
    else if (it.exact !== null) s += it.exact;
    else return null;
  }
  return s;
}

/** More alternatives than this and a literal run is cut rather than multiplied. */
const MAX_SET = 16;

/** The strongest candidate of a sequence: literal runs of mandatory items, or a group's set. */
function best(seq: Item[]): Cand | null {
  const cands: Cand[] = [];
  let run: string[] = [''];
  const flush = (): void => {
    if (run[0] !== '') cands.push(run);
    run = [''];
  };
  const extend = (tails: string[], repeats: boolean): void => {
    if (run.length * tails.length > MAX_SET) flush();
    run = run.flatMap((r) => tails.map((t) => r + t));
    // After a repeated item the next literal follows an unknown number of copies.
    if (repeats) flush();
  };
  for (const it of seq) {
    if (it.kind === 'other' || it.min === 0) {
      flush();
      continue;
    }
    if (it.kind === 'char' || it.kind === 'set') {
      extend(it.kind === 'char' ? [it.ch] : it.chars, it.max !== 1);
      continue;
    }
    if (it.exact !== null && it.max === 1) {
      extend([it.exact], false);
      continue;
    }
    flush();
    if (it.set) cands.push(it.set);
  }
  flush();
  let top: Cand | null = null;
  for (const c of cands) if (!top || score(c) > score(top)) top = c;
  return top;
}

const score = (c: Cand): number => Math.min(...c.map((s) => s.length)) * 64 - c.length;

/**
 * Literals one of which occurs in every match of `source`, or null when none of at least
 * MIN_LITERAL characters can be proven (the rule is then scanned with its own regex).
 */
export function requiredLiterals(source: string): string[] | null {
  const p = new Parser(source);
  const { branches } = p.alternation();
  if (p.i < source.length) return null; // unbalanced ')': let RegExp report it, no prefilter
  if (branches.some((b) => b === null)) return null;
  const all = [...new Set((branches as Cand[]).flat())];
  return all.every((s) => s.length >= MIN_LITERAL) ? all : null;
}
