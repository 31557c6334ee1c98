import { StringDecoder } from 'node:string_decoder';
import { InputError } from '../errors.js';
import type { Source } from '../events/schema.js';
import { requiredLiterals } from './matcher-literals.js';
import { MultiLiteral } from './matcher-search.js';
import { bufferOps, ChunkStream, stringOps } from './matcher-stream.js';

/**
 * All remediation triggers of a playbook compiled into one matcher. Streaming text is never
 * split into lines up front: a multi-literal search (the literals every rule's match must
 * contain) runs over the whole chunk, and only around a hit are the line bounds found and the
 * rules run, in rule order. Rules with no provable literal are run as `gm` regexes over the chunk.
 */

export interface MatchRule {
  id: string;
  /** A JS regex source, tested against one line without its terminator. */
  regex: string;
  /** Where the rule applies; absent means everywhere. */
  sources?: Source[];
}

export interface LineMatch {
  id: string;
  /** Capture groups 1..n, '' when a group did not take part. */
  groups: string[];
}

export interface StreamMatch extends LineMatch {
  line: string;
  /** Where the line starts in its stream (chars for string input, bytes for Buffers); distinct per line. */
  offset: number;
}

export type OnMatch = (m: StreamMatch) => void;

export interface LineScanner {
  push(chunk: string | Uint8Array): void;
  end(): void;
}

export interface Matcher {
  readonly ruleIds: readonly string[];
  matchLine(line: string, source: Source): LineMatch[];
  /** Streams one chunk of a source; the partial last line is kept until the next chunk or end(). */
  scan(chunk: string | Uint8Array, source: Source, onMatch: OnMatch): void;
  /** Flushes the source's last unterminated line and forgets its state. */
  end(source: Source, onMatch: OnMatch): void;
  /** An independent stream (e.g. one per command), so concurrent outputs do not mix lines. */
  createScanner(source: Source, onMatch: OnMatch): LineScanner;
}

export interface MatcherOptions {
  /** Longer lines are matched on their beginning only. Default 64 KiB. */
  maxLineChars?: number;
}

interface Rule {
  id: string;
  re: RegExp;
  sources: ReadonlySet<Source> | null;
  literals: string[] | null;
  /** Source of a `gm` scan for rules that have no literal to prefilter on. */
  rawSource: string | null;
}

interface Plan {
  rules: Rule[];
  search: MultiLiteral | null;
  raw: RegExp[];
}

export const DEFAULT_MAX_LINE = 64 * 1024;

export function compileMatcher(rules: MatchRule[], opts: MatcherOptions = {}): Matcher {
  const cap = opts.maxLineChars ?? DEFAULT_MAX_LINE;
  const compiled: Rule[] = rules.map((r) => {
    let re: RegExp;
    try {
      re = new RegExp(r.regex);
    } catch (e) {
      throw new InputError(`trigger "${r.id}": invalid regex /${r.regex}/: ${(e as Error).message}`);
    }
    const literals = requiredLiterals(r.regex);
    return { id: r.id, re, sources: r.sources ? new Set(r.sources) : null, literals, rawSource: literals ? null : r.regex };
  });
  const plans = new Map<Source, Plan>();
  const planFor = (source: Source): Plan => {
    let plan = plans.get(source);
    if (!plan) {
      const applicable = compiled.filter((r) => !r.sources || r.sources.has(source));
      const lits = [...new Set(applicable.flatMap((r) => r.literals ?? []))];
      const raw = applicable.flatMap((r) => (r.rawSource === null ? [] : [new RegExp(r.rawSource, 'gm')]));
      plan = { rules: applicable, search: lits.length > 0 ? new MultiLiteral(lits) : null, raw };
      plans.set(source, plan);
    }
    return plan;
  };

  const evaluate = (plan: Plan, line: string, offset: number, onMatch: OnMatch | null, out: LineMatch[]): void => {
    for (const rule of plan.rules) {
      if (rule.literals && !rule.literals.some((l) => line.includes(l))) continue;
      const m = rule.re.exec(line);
      if (!m) continue;
      const groups = m.slice(1).map((g) => g ?? '');
      if (onMatch) onMatch({ id: rule.id, groups, line, offset });
      else out.push({ id: rule.id, groups });
    }
  };

  const createScanner = (source: Source, onMatch: OnMatch): LineScanner => {
    const plan = planFor(source);
    const none: LineMatch[] = [];
    const strings = new ChunkStream(
      stringOps,
      (t, from, to, base) => scanStringRegion(plan, t, from, to, (ls, le) => evaluate(plan, t.slice(ls, Math.min(le, ls + cap)), base + ls, onMatch, none)),
      cap,
    );
    const bytes = new ChunkStream(
      bufferOps,
      (t, from, to, base) => scanBytesRegion(plan, t, from, to, (ls, le) => evaluate(plan, t.toString('utf8', ls, Math.min(le, ls + cap)), base + ls, onMatch, none)),
      cap,
    );
    // Raw regex rules need text, so with any of them bytes are decoded; otherwise bytes are scanned as is.
    let mode: 'string' | 'bytes' | null = null;
    const decoder = new StringDecoder('utf8');
    return {
      push(chunk) {
        mode ??= typeof chunk === 'string' || plan.raw.length > 0 || !plan.search ? 'string' : 'bytes';
        if (mode === 'bytes') bytes.push(typeof chunk === 'string' ? Buffer.from(chunk) : asBuffer(chunk));
        else strings.push(typeof chunk === 'string' ? chunk : decoder.write(asBuffer(chunk)));
      },
      end() {
        if (mode === 'string') {
          const tail = decoder.end();
          if (tail) strings.push(tail);
          strings.end();
        } else bytes.end();
        mode = null;
      },
    };
  };

  const scanners = new Map<Source, { scanner: LineScanner; sink: { fn: OnMatch } }>();
  const streamFor = (source: Source, onMatch: OnMatch): LineScanner => {
    let s = scanners.get(source);
    if (!s) {
      const sink = { fn: onMatch };
      s = { scanner: createScanner(source, (m) => sink.fn(m)), sink };
      scanners.set(source, s);
    }
    s.sink.fn = onMatch;
    return s.scanner;
  };

  return {
    ruleIds: compiled.map((r) => r.id),
    matchLine(line, source) {
      const out: LineMatch[] = [];
      evaluate(planFor(source), line.length > cap ? line.slice(0, cap) : line, 0, null, out);
      return out;
    },
    scan(chunk, source, onMatch) {
      streamFor(source, onMatch).push(chunk);
    },
    end(source, onMatch) {
      streamFor(source, onMatch).end();
      scanners.delete(source);
    },
    createScanner,
  };
}

const asBuffer = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));

type LineFn = (lineStart: number, lineEnd: number) => void;

/** Calls `fn` once per line of t[from, to) that holds a literal hit, in order. */
function scanBytesRegion(plan: Plan, t: Buffer, from: number, to: number, fn: LineFn): void {
  const search = plan.search as MultiLiteral;
  let nextLF = -2;
  let nextCR = -2;
  let pos = from;
  for (;;) {
    const hit = search.nextInBytes(t, pos, to);
    if (hit < 0) return;
    let ls = hit;
    while (ls > pos && t[ls - 1] !== 10 && t[ls - 1] !== 13) ls--;
    if (nextLF !== -1 && nextLF < hit) nextLF = t.indexOf(10, hit);
    if (nextCR !== -1 && nextCR < hit) nextCR = t.indexOf(13, hit);
    const le = Math.min(to, nextLF < 0 ? to : nextLF, nextCR < 0 ? to : nextCR);
    fn(ls, le);
    pos = le + 1;
  }
}

function scanStringRegion(plan: Plan, t: string, from: number, to: number, fn: LineFn): void {
  const starts: number[] = [];
  const lineAt = (p: number): [number, number] => {
    let ls = p;
    while (ls > from && !isTerm(t.charCodeAt(ls - 1))) ls--;
    let le = p;
    while (le < to && !isTerm(t.charCodeAt(le))) le++;
    return [ls, le];
  };
  if (plan.search) {
    for (let pos = from; ; ) {
      const hit = plan.search.nextInString(t, pos, to);
      if (hit < 0) break;
      const [ls, le] = lineAt(hit);
      starts.push(ls, le);
      pos = le + 1;
    }
  }
  for (const re of plan.raw) {
    re.lastIndex = from;
    for (let m = re.exec(t); m && m.index <= to; m = re.exec(t)) {
      // The "line" between the halves of a CRLF is not a line.
      if (t.charCodeAt(m.index) === 10 && m.index > 0 && t.charCodeAt(m.index - 1) === 13) {
        re.lastIndex = m.index + 1;
        continue;
      }
      const [ls, le] = lineAt(Math.min(m.index, to));
      starts.push(ls, le);
      re.lastIndex = le + 1;
    }
  }
  if (plan.raw.length === 0) {
    for (let i = 0; i < starts.length; i += 2) fn(starts[i] as number, starts[i + 1] as number);
    return;
  }
  // Several passes found lines out of order and maybe twice: each line is evaluated once, in order.
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < starts.length; i += 2) pairs.push([starts[i] as number, starts[i + 1] as number]);
  pairs.sort((a, b) => a[0] - b[0]);
  let last = -1;
  for (const [ls, le] of pairs) {
    if (ls === last) continue;
    last = ls;
    fn(ls, le);
  }
}

const isTerm = (c: number): boolean => c === 10 || c === 13;
