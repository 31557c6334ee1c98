import { cpSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { gitIn } from '../runner/git.js';
import { startMessagesStandin } from '../standin/messages-server.js';
import { loadSession } from '../standin/session-schema.js';
import { readEventLog } from '../runs/log.js';
import { RunStore } from '../runs/store.js';
import { InputError } from '../errors.js';
import type { Event } from '../events/schema.js';
import { packageRoot } from '../package-root.js';
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
  /** Resume this demo run, with its stand-ins brought back. */
  resume?: string;
}

export const DEMO = {
  playbook: join(packageRoot(), 'playbooks', 'rsd-phase3.yaml'),
  session: join(packageRoot(), 'playbooks', 'sessions', 'rsd-phase3.yaml'),
  template: join(packageRoot(), 'templates', 'sample-experiment'),
  modalBin: join(packageRoot(), 'python', 'bin'),
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
  const home = resolve(o.home ?? '.labpilot');
  const store = new RunStore(home);
  // The sample repository and the stand-in's volumes live with the runs, not in /tmp: a resumed
  // demo needs them back, and `rm -rf .labpilot` removes everything the demo made.
  let repo: string;
  if (o.resume) {
    repo = await demoRepository(store, o.resume);
  } else {
    mkdirSync(join(home, 'demo'), { recursive: true });
    repo = await sampleRepository(join(mkdtempSync(join(home, 'demo', 'sample-')), 'sample-experiment'));
  }
  const standin = await startMessagesStandin({ session });
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: [DEMO.modalBin, process.env.PATH ?? ''].join(delimiter),
      MODAL_STANDIN_HOME: join(dirname(repo), 'modal'),
      // The stand-in accepts any key; a real key in the caller's environment is never sent to it.
      ANTHROPIC_API_KEY: 'sk-ant-demo-standin',
      ANTHROPIC_BASE_URL: standin.url,
    };
    // The app owns the terminal while it shows; it prints the run itself.
    if (!o.json && !o.view) {
      out.write(`demo: a simulation. The agent is a scripted stand-in of the Anthropic Messages API at ${standin.url} (no model is called, costs are simulated);\n`);
      out.write(`      \`modal\` is a local stand-in (no GPU, no Modal account); the experiment is a sample repository in ${dirname(repo)}.\n`);
    }
    const common = { json: o.json, verbose: o.verbose, home: o.home, env, out, view: o.view, standins: true };
    const r = o.resume
      ? await (await import('./resume.js')).resumeCommand({ runId: o.resume, ...common })
      : await runCommand({ playbook: DEMO.playbook, vars: [`repo=${repo}`, ...(o.var ?? [])], ...common });
    if (!o.json && !o.view) out.write(await stageSummary(store.paths(r.runId).log));
    // A passed run saved its report into the sample repository itself (the playbook's
    // save_results); a failed one still gets its report.
    if (r.code !== 0 && existsSync(store.paths(r.runId).log)) {
      const report = await writeReport({ runId: r.runId, home: o.home });
      if (!o.json) out.write(`report: ${report.paths.md}\n        ${report.paths.html}\n`);
    }
    return r;
  } finally {
    await standin.close();
  }
}

/** The sample repository a demo run cloned, from its log; refused for a run that is not a demo. */
async function demoRepository(store: RunStore, runId: string): Promise<string> {
  const { events } = await readEventLog(store.find(runId).log);
  const started = events.find((e) => e.type === 'run_started');
  const repo = started?.type === 'run_started' ? started.vars.repo : undefined;
  if (!repo || resolve(started!.playbookPath) !== resolve(DEMO.playbook) || !existsSync(repo)) {
    throw new InputError(`run ${runId} is not a demo run whose sample repository is still there; resume it with: labpilot resume ${runId}`);
  }
  return repo;
}

async function sampleRepository(dir: string): Promise<string> {
  cpSync(DEMO.template, dir, { recursive: true });
  const git = gitIn(dir);
  await git.init(['-b', 'main']);
  await git.add(['-A']);
  await git.commit('Sample RSD experiment');
  return dir;
}

/** A stage's figures in words: what ran, how it ended, what was measured. */
function stageWords(m: Record<string, number>): string {
  const parts: string[] = [];
  if ('episodes' in m) parts.push(`${m.episodes} episodes`);
  if ('success_rate' in m) parts.push(`${(m.success_rate! * 100).toFixed(1)}% succeeded`);
  if ('inference_ms' in m) parts.push(`${m.inference_ms} ms per step`);
  if ('acceptance' in m) parts.push(`draft acceptance ${m.acceptance}`);
  if (m.episode_errors) parts.push(`${m.episode_errors} episodes crashed`);
  return parts.join(', ');
}

/** One line per stage run, with the figures its gates were judged on. */
export async function stageSummary(log: string): Promise<string> {
  const { events } = await readEventLog(log);
  const exited = events.filter((e): e is Extract<Event, { type: 'command_exited' }> => e.type === 'command_exited');
  const rows = exited
    .filter((e) => 'episodes' in e.metrics)
    .map((e) => {
      const stage = e.item === undefined ? e.step : `${e.step} [${e.item}]`;
      return `  ${stage.padEnd(10)} exit ${e.exitCode ?? e.signal}  ${stageWords(e.metrics)}`;
    });
  return rows.length > 0 ? `stages:\n${rows.join('\n')}\n` : '';
}
