/**
 * Quoting of untrusted text (command output, tool output, file text) in prompt templates, so
 * that what a command printed cannot close labpilot's code fence and write below it. Each
 * untrusted value keeps the place the template gives it, made tight:
 * - inside a fenced block: the block's fences grow longer than any run of the fence character
 *   in the values quoted in it (CommonMark closes a fence only with a run at least as long);
 * - inside an inline code span: the span's backtick runs grow the same way;
 * - on an indented (code block) line: every line of the value is indented alike;
 * - anywhere else: a value of several lines becomes a fenced block (one line in running text
 *   cannot start or end a block, so it stays as written).
 */

const FENCE = /^( {0,3})(`{3,}|~{3,})(.*)$/;

export const longestRun = (s: string, ch: string): number => {
  let best = 0;
  let cur = 0;
  for (const c of s) {
    cur = c === ch ? cur + 1 : 0;
    if (cur > best) best = cur;
  }
  return best;
};

interface Block {
  start: number;
  end: number;
  char: string;
  len: number;
}

function fencedBlocks(lines: string[]): Block[] {
  const out: Block[] = [];
  let open: Omit<Block, 'end'> | undefined;
  lines.forEach((line, i) => {
    const m = FENCE.exec(line);
    if (!m) return;
    const run = m[2]!;
    if (!open) open = { start: i, char: run[0]!, len: run.length };
    else if (run[0] === open.char && run.length >= open.len && m[3]!.trim() === '') {
      out.push({ ...open, end: i });
      open = undefined;
    }
  });
  return out;
}

const refsIn = (text: string, names: Set<string>, ref: RegExp): string[] =>
  [...text.matchAll(ref)].map((m) => m[1]).filter((n): n is string => n !== undefined && names.has(n));

/** The template with its fences and code spans made long enough for the untrusted values. */
export function tightenFences(template: string, vars: Record<string, string>, untrusted: Set<string>, ref: RegExp): string {
  const lines = template.split('\n');
  for (const b of fencedBlocks(lines)) {
    const inside = refsIn(lines.slice(b.start + 1, b.end).join('\n'), untrusted, ref);
    const need = Math.max(b.len, ...inside.map((n) => longestRun(vars[n] ?? '', b.char) + 1));
    if (need === b.len) continue;
    for (const i of [b.start, b.end]) lines[i] = lines[i]!.replace(/[`~]{3,}/, b.char.repeat(need));
  }
  // Inline spans: `{{name}}` with equal backtick runs on both sides.
  return lines
    .join('\n')
    .replace(/(?<!`)(`+)(\{\{\s*([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*)\s*\}\})\1(?!`)/g, (whole, ticks: string, inner: string, name: string) => {
      if (!untrusted.has(name)) return whole;
      const v = vars[name] ?? '';
      const run = '`'.repeat(Math.max(ticks.length, longestRun(v, '`') + 1));
      const pad = v.startsWith('`') || v.endsWith('`') ? ' ' : '';
      return `${run}${pad}${inner}${pad}${run}`;
    });
}

/** How an untrusted value is written at `offset` of a template already tightened. */
export function quoteAt(template: string, offset: number, length: number, value: string): string {
  const lineStart = template.lastIndexOf('\n', offset - 1) + 1;
  const lines = template.slice(0, offset).split('\n');
  const row = lines.length - 1;
  if (fencedBlocks(template.split('\n')).some((b) => row > b.start && row < b.end)) return value;
  const before = template[offset - 1];
  const after = template[offset + length];
  if (before === '`' && after === '`') return value.replace(/[\r\n]+/g, ' ');
  const prefix = template.slice(lineStart, offset);
  if (/^(?: {4}|\t)\s*$/.test(prefix)) return value.replace(/\r?\n|\r/g, `\n${prefix}`);
  // One line in running text cannot open or close a block: it stays as it is.
  if (!/[\r\n]/.test(value)) return value;
  const fence = '`'.repeat(Math.max(3, longestRun(value, '`') + 1));
  return `\n${fence}\n${value}\n${fence}\n`;
}
