import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { RunStore } from '../runs/store.js';
import { reportFromLog, type RenderedReport } from '../report/index.js';
import { saveResults } from '../results/save.js';
import { createGit, gitIn } from '../runner/git.js';
import { readEventLog } from '../runs/log.js';

export interface ReportOptions {
  runId: string;
  home?: string;
  /** Where to write the Markdown (default: report.md in the run's folder). */
  md?: string;
  /** Where to write the HTML page (default: report.html in the run's folder). */
  html?: string;
  /** Also save the report in this folder of the run's repository, commit it on the run's branch and push. */
  save?: string;
  /** Push after saving when the repository has a remote (default true). */
  push?: boolean;
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
  if (o.save === undefined) return 0;
  const saved = await saveReport(o.runId, o.home, o.save, o.push ?? true, r.paths);
  out.write(saved.text);
  return saved.ok ? 0 : 1;
}

/** Saves the written report into the run's repository; one line or two saying what was done. */
export async function saveReport(runId: string, home: string | undefined, dir: string, push: boolean, paths: { md: string; html: string }) {
  const run = new RunStore(home ? resolve(home) : undefined).find(runId);
  const s = await saveResults({ log: run.log, files: [paths.md, paths.html], dir, git: createGit(), push });
  const commit = s.commit ? `committed ${s.commit.sha.slice(0, 8)} on ${s.branch}` : `nothing new to commit on ${s.branch}`;
  const pushed = typeof s.pushed === 'string' ? `push failed: ${s.pushed}` : !push ? 'not pushed (--no-push)' : s.pushed ? `pushed to ${await remoteOf(run.log)}` : 'not pushed: no remote';
  return { ok: typeof s.pushed !== 'string', text: `results: ${s.saved.join(', ')}; ${commit}; ${pushed}\n`, result: s };
}

/** Where the run's workspace pushes: its origin's URL (a local folder in the demo). */
async function remoteOf(log: string): Promise<string> {
  const { events } = await readEventLog(log);
  const started = events.find((e) => e.type === 'run_started');
  if (started?.type !== 'run_started') return 'origin';
  try {
    return (await gitIn(started.workspace).remote(['get-url', 'origin']))?.trim() || 'origin';
  } catch {
    return 'origin';
  }
}
