/**
 * Word wrap to a width in columns, so the app knows how many rows a text takes before Ink draws
 * it (a prompt the person approves must be readable in full, never cut at the edge). Words
 * longer than the width are broken; wide characters count as they are drawn.
 */
export function wrapText(text: string, width: number): string[] {
  const w = Math.max(8, width);
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/(\s+)/)) {
      if (word === '') continue;
      if (cols(line) + cols(word) <= w) {
        line += word;
        continue;
      }
      if (line.trim() !== '') out.push(line.trimEnd());
      line = /^\s+$/.test(word) ? '' : word;
      while (cols(line) > w) {
        const cut = fit(line, w);
        out.push(line.slice(0, cut));
        line = line.slice(cut);
      }
    }
    out.push(line.trimEnd());
  }
  return out;
}

/** Columns a string takes: CJK and emoji take two. */
export function cols(s: string): number {
  let n = 0;
  for (const ch of s) n += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|\p{Extended_Pictographic}/u.test(ch) ? 2 : 1;
  return n;
}

/** The longest prefix (in UTF-16 units) of `s` that fits in `w` columns. */
function fit(s: string, w: number): number {
  let n = 0;
  let i = 0;
  for (const ch of s) {
    const c = cols(ch);
    if (n + c > w) break;
    n += c;
    i += ch.length;
  }
  return Math.max(1, i);
}
