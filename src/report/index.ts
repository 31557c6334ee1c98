import { readEventLog } from '../runs/log.js';
import { buildReport, type RunReport } from './model.js';
import { reportDocument } from './document.js';
import { renderMarkdown } from './markdown.js';
import { renderHtml } from './html.js';
import { renderTerminal } from './terminal.js';

export type { RunReport } from './model.js';

export interface RenderedReport {
  report: RunReport;
  markdown: string;
  terminal: string;
  /** Only when asked for: it loads Vega. */
  html?: string;
}

/** The report of a run, from its log alone. */
export async function reportFromLog(log: string, o: { html?: boolean; width?: number } = {}): Promise<RenderedReport> {
  const { events } = await readEventLog(log);
  const report = buildReport(events, `${log}:1`);
  const doc = reportDocument(report);
  return {
    report,
    markdown: renderMarkdown(doc),
    terminal: renderTerminal(report, o.width),
    html: o.html ? await renderHtml(doc, report) : undefined,
  };
}
