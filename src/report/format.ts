/** Number and text formatting shared by the Markdown, HTML and terminal reports. */

export const pct = (x: number | undefined, digits = 1) => (x === undefined || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(digits)}%`);

export const ms = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? 'n/a' : `${x.toFixed(1)} ms`);

export const dollars = (x: number) => `$${x.toFixed(4)}`;

export const int = (x: number) => x.toLocaleString('en-US');

/** 95 ms, 12.3 s, 4 min 05 s, 2 h 03 min. */
export function duration(msec: number): string {
  if (msec < 1000) return `${Math.round(msec)} ms`;
  const s = msec / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.round(s - m * 60)).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${String(m - h * 60).padStart(2, '0')} min`;
}

/** A value that is safe inside a Markdown table cell. */
export function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function table(head: string[], rows: string[][], align?: Array<'l' | 'r'>): string {
  const sep = head.map((_, i) => (align?.[i] === 'r' ? '---:' : '---'));
  return [head, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Untrusted text (a gate's detail, a reviewer's finding) as one code span: no markup, no link, one line. */
export function quoted(text: string, max = 400): string {
  const flat = text.replace(/`/g, "'").replace(/\s+/g, ' ').trim();
  return `\`${cell(flat.length > max ? `${flat.slice(0, max - 1)}…` : flat)}\``;
}
