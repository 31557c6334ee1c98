/**
 * Seeded mutations of the three kinds of input labpilot reads: playbooks (YAML), other tools'
 * transcripts (JSONL or JSON) and its own run logs (chained JSONL). Each mutant applies one to
 * three operators: whole-line edits (delete, duplicate, swap, cut), byte edits, values swapped
 * for hostile ones (YAML aliases and alias bombs, 128 KB of `{`, huge regexes, control
 * characters and forged `file:line:col` lines, deep nesting), and for logs, edited JSON fields.
 */

export type Rand = () => number;

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rand, n: number) => Math.floor(r() * n);

const ALIAS_BOMB = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`)].join('\n');

/** Values that have broken, or could break, a reader: each goes where a scalar was. */
export const HOSTILE_VALUES = [
  '&a [*a]',
  '*nope',
  '&x {k: *x}',
  `"${'{'.repeat(131072)}"`,
  `"${'('.repeat(2000)}"`,
  `"${'a{1,3}'.repeat(6000)}"`,
  `"x\\n/tmp/forged.yaml:1:1: forged problem"`,
  '"\\u001b[2J\\u001b[31mred\\r\\u0000"',
  `${'['.repeat(3000)}`,
  '1e400',
  '.nan',
  '-.inf',
  '!!binary AAAA',
  '? [a, b]',
  '<<: *a',
  '~',
  "''",
  '[]',
  '{}',
  '"{{ metrics. }}"',
  '"{{"',
  '"(?<n>a)\\\\k<m>"',
  '"[z-a]"',
  '"a++"',
  '0x7fffffffffffffff',
  '"\\t\\v\\f"',
] as const;

function lines(text: string): string[] {
  return text.split('\n');
}

const lineOps: Array<(r: Rand, l: string[]) => string[]> = [
  (r, l) => (l.length > 1 ? l.filter((_, i) => i !== int(r, l.length)) : l),
  (r, l) => {
    const i = int(r, l.length);
    return [...l.slice(0, i + 1), l[i]!, ...l.slice(i + 1)];
  },
  (r, l) => {
    const i = int(r, Math.max(1, l.length - 1));
    const out = [...l];
    [out[i], out[i + 1]] = [out[i + 1] ?? '', out[i]!];
    return out;
  },
  (r, l) => l.slice(0, 1 + int(r, l.length)),
];

const textOps: Array<(r: Rand, t: string) => string> = [
  (r, t) => lineOps[int(r, lineOps.length)]!(r, lines(t)).join('\n'),
  // Cut anywhere: a torn write.
  (r, t) => t.slice(0, int(r, t.length + 1)),
  // A byte replaced by a random one, control characters included.
  (r, t) => {
    const i = int(r, t.length);
    return t.slice(0, i) + String.fromCharCode(int(r, 0x80)) + t.slice(i + 1);
  },
  // Invalid UTF-8 and a NUL.
  (r, t) => {
    const i = int(r, t.length);
    return t.slice(0, i) + '\ufffd\u0000' + t.slice(i);
  },
];

/** A scalar after `key: ` replaced by a hostile value, or a hostile block inserted. */
function yamlOp(r: Rand, text: string): string {
  const l = lines(text);
  const candidates = l.map((x, i) => [x, i] as const).filter(([x]) => /^\s*-?\s*[\w-]+:\s+\S/.test(x));
  if (r() < 0.15) return `${ALIAS_BOMB}\n${text.replace(/^name:.*$/m, 'name: *h')}`;
  if (candidates.length === 0 || r() < 0.1) return `${pick(r, HOSTILE_VALUES)}\n${text}`;
  const [line, i] = pick(r, candidates);
  const out = [...l];
  out[i] = line.replace(/(:\s+).*$/, (_m, sep: string) => `${sep}${pick(r, HOSTILE_VALUES)}`);
  return out.join('\n');
}

const HOSTILE_JSON: unknown[] = [null, -1, 1e308, '', 'x'.repeat(100_000), '\u001b[2J\nforged.jsonl:1: forged', [], {}, { nested: [[[[[]]]]] }, true, 'run_started', 2 ** 53];

/** One JSON line's field set to a hostile value (or removed), the line re-serialised. */
function jsonOp(r: Rand, text: string): string {
  const l = lines(text);
  const i = int(r, l.length);
  let v: unknown;
  try {
    v = JSON.parse(l[i]!);
  } catch {
    return text;
  }
  if (!v || typeof v !== 'object') return text;
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 0) return text;
  const k = pick(r, keys);
  if (r() < 0.2) delete obj[k];
  else obj[k] = pick(r, HOSTILE_JSON);
  const out = [...l];
  out[i] = JSON.stringify(obj);
  return out.join('\n');
}

export type SeedKind = 'playbook' | 'transcript' | 'runlog';

/** A mutant of `seed`: one to three operators, chosen by `r`. */
export function mutate(r: Rand, kind: SeedKind, seed: string): string {
  let t = seed;
  const n = 1 + int(r, 3);
  for (let k = 0; k < n; k++) {
    const x = r();
    if (kind === 'playbook' && x < 0.6) t = yamlOp(r, t);
    else if (kind !== 'playbook' && x < 0.5) t = jsonOp(r, t);
    else if (kind === 'runlog' && x < 0.6) t = t.replace(/,"hash":"[0-9a-f]{16}"/g, ''); // a log from before the chain
    else t = pick(r, textOps)(r, t);
  }
  return t;
}
