import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { RunStore } from '../runs/store.js';
import { reportFromLog, type RenderedReport } from '../report/index.js';

export interface ReportOptions {
  runId: string;
  home?: string;
  /** Where to write the Markdown (default: report.md in the run's folder). */
  md?: string;
  /** Where to write the HTML page (default: report.html in the run's folder). */
  html?: string;
  out?: NodeJS.WritableStream;
}

export interface WrittenReport extends RenderedReport {
  paths: { md: string; html: string };
}

/** Builds a run's report from its log and writes the Markdown and HTML files. */
export async function writeReport(o: Omit<ReportOptions, 'out'>): Promise<WrittenReport> {
  const run = new RunStore(o.home ? resolve(o.home) : undefined).find(o.runId);
  const rendered = await reportFromLog(run.log, { html: true, width: process.stdout.columns });
  const paths = { md: resolve(o.md ?? join(run.dir, 'report.md')), html: resolve(o.html ?? join(run.dir, 'report.html')) };
  for (const [path, text] of [
    [paths.md, rendered.markdown],
    [paths.html, rendered.html!],
  ] as const) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return { ...rendered, paths };
}

/** `labpilot report <id>`: the compact report on the terminal, the full one in two files. */
export async function reportCommand(o: ReportOptions): Promise<number> {
  const out = o.out ?? process.stdout;
  const r = await writeReport(o);
  out.write(r.terminal);
  out.write(`report: ${r.paths.md}\n        ${r.paths.html}\n`);
  return 0;
}
