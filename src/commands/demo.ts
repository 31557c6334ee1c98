import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { gitIn } from '../runner/git.js';
import { startMessagesStandin } from '../standin/messages-server.js';
import { loadSession } from '../standin/session-schema.js';
import { readEventLog } from '../runs/log.js';
import { RunStore } from '../runs/store.js';
import { InputError } from '../errors.js';
import type { Event } from '../events/schema.js';
import { PACKAGE_ROOT } from './session.js';
import { runCommand } from './run.js';
import { writeReport } from './report.js';
import type { AppView } from '../ui/launch.js';

export interface DemoOptions {
  home?: string;
  json?: boolean;
  verbose?: boolean;
  interactive?: boolean;
  /** More playbook variables (`suites=libero_spatial,libero_object`); the repository is the sample's. */
  var?: string[];
  /** A scripted agent session (src/standin/session-schema.ts) to play instead of the demo's own. */
  session?: string;
  /** The terminal app (with --interactive): a person decides. */
  view?: AppView;
  out?: NodeJS.WritableStream;
}

export const DEMO = {
  playbook: join(PACKAGE_ROOT, 'playbooks', 'rsd-phase3.yaml'),
  session: join(PACKAGE_ROOT, 'playbooks', 'sessions', 'rsd-phase3.yaml'),
  template: join(PACKAGE_ROOT, 'templates', 'sample-experiment'),
  modalBin: join(PACKAGE_ROOT, 'python', 'bin'),
};

/**
 * `labpilot demo`: the RSD Phase 3 playbook end to end, offline. The sample experiment becomes a
 * local git repository that the run clones for real; the agent is the real Anthropic SDK talking
 * to the Messages API stand-in; `modal` on PATH is the local Modal stand-in. Only the two
 * endpoints are simulated: everything in between is the code path of a real run.
 */
export async function demoCommand(o: DemoOptions): Promise<{ code: number; runId: string }> {
  if (o.interactive && !o.view) throw new InputError('demo --interactive needs a terminal for the app; run `labpilot demo` for autopilot');
  const out = o.out ?? process.stdout;
  // Read first: a bad session file is bad input before anything is copied or served.
  const session = o.session === undefined ? DEMO.session : loadSession(resolve(o.session));
  const root = mkdtempSync(join(tmpdir(), 'labpilot-demo-'));
  const repo = await sampleRepository(join(root, 'sample-experiment'));
  const standin = await startMessagesStandin({ session });
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: [DEMO.modalBin, process.env.PATH ?? ''].join(delimiter),
      MODAL_STANDIN_HOME: join(root, 'modal'),
      // The stand-in accepts any key; a real key in the caller's environment is never sent to it.
      ANTHROPIC_API_KEY: 'sk-ant-demo-standin',
      ANTHROPIC_BASE_URL: standin.url,
    };
    // The app owns the terminal while it shows; it prints the run itself.
    if (!o.json && !o.view) out.write(`demo: sample experiment at ${repo}, Messages API stand-in at ${standin.url}\n`);
    const r = await runCommand({ playbook: DEMO.playbook, vars: [`repo=${repo}`, ...(o.var ?? [])], json: o.json, verbose: o.verbose, home: o.home, env, out, view: o.view });
    if (!o.json) out.write(await stageSummary(new RunStore(o.home ? resolve(o.home) : undefined).paths(r.runId).log));
    // A passed run saved its report into the sample repository itself (the playbook's
    // save_results); a failed one still gets its report.
    if (r.code !== 0) {
      const report = await writeReport({ runId: r.runId, home: o.home });
      if (!o.json) out.write(`report: ${report.paths.md}\n        ${report.paths.html}\n`);
    }
    return r;
  } finally {
    await standin.close();
  }
}

async function sampleRepository(dir: string): Promise<string> {
  cpSync(DEMO.template, dir, { recursive: true });
  const git = gitIn(dir);
  await git.init(['-b', 'main']);
  await git.add(['-A']);
  await git.commit('Sample RSD experiment');
  return dir;
}

const FIGURES = ['episodes', 'success_rate', 'inference_ms', 'acceptance', 'episode_errors'] as const;

/** One line per stage run, with the figures its gates were judged on. */
export async function stageSummary(log: string): Promise<string> {
  const { events } = await readEventLog(log);
  const exited = events.filter((e): e is Extract<Event, { type: 'command_exited' }> => e.type === 'command_exited');
  const rows = exited
    .filter((e) => 'episodes' in e.metrics)
    .map((e) => {
      const figures = FIGURES.filter((f) => f in e.metrics).map((f) => `${f}=${e.metrics[f]}`);
      const stage = e.item === undefined ? e.step : `${e.step} [${e.item}]`;
      return `  ${stage.padEnd(10)} exit ${e.exitCode ?? e.signal}  ${figures.join('  ')}`;
    });
  return rows.length > 0 ? `stages:\n${rows.join('\n')}\n` : '';
}
