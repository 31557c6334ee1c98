import type { Block, ReportDocument } from './document.js';
import type { RunReport } from './model.js';
import { escapeHtml } from './format.js';
import { taskChartSpec, timingChartSpec, toSvg } from './charts.js';

/**
 * The report as one self-contained HTML page: inline CSS, the charts as inline SVG, no script
 * and no external resource, so it opens anywhere and can be mailed or archived as it is.
 */
export async function renderHtml(doc: ReportDocument, report: RunReport): Promise<string> {
  const svgs = new Map<string, string>();
  for (const c of report.comparisons) {
    for (const [name, spec] of [
      ['tasks', taskChartSpec(report, c)],
      ['timing', timingChartSpec(report, c)],
    ] as const) {
      if (spec) svgs.set(chartKey(name, c.item), await toSvg(spec));
    }
  }
  const body = doc.sections
    .map((s) => `<section>\n<h2>${inline(s.title)}</h2>\n${s.blocks.map((b) => block(b, svgs)).join('\n')}\n</section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${inline(doc.title)}</h1>
${body}
</main>
</body>
</html>
`;
}

/** A chart of a comparison: one per chart kind, and per suite in a fanned-out run. */
const chartKey = (chart: string, item: string | undefined) => (item === undefined ? chart : `${chart}\u0000${item}`);

function block(b: Block, svgs: Map<string, string>): string {
  switch (b.kind) {
    case 'p':
      return `<p>${inline(b.text)}</p>`;
    case 'list':
      return `<ul>\n${b.items.map((i) => `<li>${inline(i)}</li>`).join('\n')}\n</ul>`;
    case 'table': {
      const cls = (i: number) => (b.align?.[i] === 'r' ? ' class="num"' : '');
      const head = b.head.map((h, i) => `<th${cls(i)}>${inline(h)}</th>`).join('');
      const rows = b.rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${cellHtml(c)}</td>`).join('')}</tr>`).join('\n');
      return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table>`;
    }
    case 'code':
      return `<pre><code>${escapeHtml(b.text)}</code></pre>`;
    case 'chart': {
      const svg = svgs.get(chartKey(b.chart, b.item));
      const suite = b.item === undefined ? '' : ` data-suite="${escapeHtml(b.item)}"`;
      // Without an SVG (no data for it) the compact text chart still says what there is.
      return svg ? `<figure class="chart" data-chart="${b.chart}"${suite}>${svg}</figure>` : `<pre>${escapeHtml(b.text.join('\n'))}</pre>`;
    }
  }
}

/** Table cells were escaped for Markdown (`\|`); undo that, then mark up. */
function cellHtml(text: string): string {
  const t = inline(text.replace(/\\([|\\])/g, '$1'));
  return t === 'pass' ? '<span class="pass">pass</span>' : t === 'FAIL' ? '<span class="fail">FAIL</span>' : t;
}

/** `code`, **bold** and [links](relative/path), the only inline markup the document uses. */
function inline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    // Links lead into the run's folder only: no scheme (`javascript:`, `file:`), no other host.
    .replace(/\[([^\]]+)\]\((?![a-zA-Z][\w+.-]*:|\/\/)([^)\s]+)\)/g, '<a href="$2">$1</a>');
}

const CSS = `
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; background: #fafafa; margin: 0; }
main { max-width: 980px; margin: 0 auto; padding: 24px; background: #fff; }
h1 { font-size: 1.6em; margin-top: 0; }
h2 { font-size: 1.2em; border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 1.8em; }
table { border-collapse: collapse; margin: 8px 0; font-size: 0.92em; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code { background: #f3f3f3; padding: 0 3px; border-radius: 3px; font-size: 0.92em; }
pre { background: #f6f6f6; padding: 8px; overflow-x: auto; }
figure.chart { margin: 12px 0; }
.pass { color: #2e7d32; font-weight: 600; }
.fail { color: #c62828; font-weight: 600; }
`.trim();
