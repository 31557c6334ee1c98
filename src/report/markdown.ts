import type { Block, ReportDocument } from './document.js';
import { table } from './format.js';
import { longestRun } from '../playbook/fence.js';

/** The report as Markdown: a pure function of the document, so a rebuild is byte-identical. */
export function renderMarkdown(doc: ReportDocument): string {
  const out = [`# ${doc.title}`];
  for (const s of doc.sections) {
    out.push(`## ${s.title}`);
    for (const b of s.blocks) out.push(block(b));
  }
  return out.join('\n\n') + '\n';
}

function block(b: Block): string {
  switch (b.kind) {
    case 'p':
      return b.text;
    case 'list':
      return b.items.map((i) => `- ${i}`).join('\n');
    case 'table':
      return table(b.head, b.rows, b.align);
    case 'chart':
      return ['```text', ...b.text, '```'].join('\n');
    case 'code': {
      // A fence longer than any run of backticks in the text: nothing quoted can close it.
      const fence = '`'.repeat(Math.max(3, longestRun(b.text, '`') + 1));
      return [`${fence}${b.lang ?? ''}`, b.text.replace(/\n$/, ''), fence].join('\n');
    }
  }
}
