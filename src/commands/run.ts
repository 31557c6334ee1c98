import { runAnnotations } from '../report/annotations.js';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadPlaybook } from '../playbook/load.js';
import { parseVarArgs } from '../playbook/variables.js';
import { compilePlaybook } from '../playbook/compile.js';
import { renderTemplate } from '../playbook/template.js';
import { RunStore } from '../runs/store.js';
import { createGit } from '../runner/git.js';
import { prepareWorkspace } from '../runs/workspace.js';
import { EnvironmentError } from '../errors.js';
import { sandboxUnavailable } from '../sandbox/index.js';
import type { Mode } from '../events/schema.js';
import { closingView, needsModel, openSession } from './session.js';
import { assertEndpointReady, assertLocalReady } from './preflight.js';
import { driveToVerdict } from './lifecycle.js';
import { jsonPrinter, plainPrinter, type Printer } from './printer.js';
import { labelStandins } from './demo-labels.js';
import type { Decider } from '../ports.js';
import type { AppView } from '../ui/launch.js';

export interface RunOptions {
  playbook: string;
  vars?: string[];
  json?: boolean;
  verbose?: boolean;
  model?: string;
  agent?: string;
  workdir?: string;
  home?: string;
  mode?: Mode;
  decider?: Decider;
  /** The terminal app, already showing: it decides through its decider and replaces the printer. */
  view?: AppView;
  out?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  /** Run without the OS sandbox (`--no-sandbox`); otherwise a missing sandbox stops the run (exit 3). */
  noSandbox?: boolean;
  /** The agent and `modal` are the demo's stand-ins: plain lines say so. */
  standins?: boolean;
  /** A webhook told (Slack-compatible JSON) when a person is needed and when the run ends. */
  notify?: string;
}

export function choosePrinter(o: { json?: boolean; verbose?: boolean; out?: NodeJS.WritableStream; standins?: boolean }): Printer {
  const out = o.out ?? process.stdout;
  return o.json ? jsonPrinter(out) : plainPrinter(out, o.verbose, o.standins ? labelStandins : undefined);
}

/** `labpilot run`: a new run of a playbook; returns the exit code of its verdict. */
export const runCommand = (o: RunOptions): Promise<{ code: number; runId: string }> => closingView(o.view, () => runPlaybook(o));

async function runPlaybook(o: RunOptions): Promise<{ code: number; runId: string }> {
  const loaded = await loadPlaybook(o.playbook);
  o.view?.setPlaybook(loaded.playbook);
  // Variables typed, predicates bound: a bad value stops here, before a run folder or a clone.
  const { vars } = compilePlaybook(loaded, parseVarArgs(o.vars ?? []));
  // A missing key is found before a run folder exists or a repository is cloned.
  const mode = o.view?.decider.mode ?? o.decider?.mode ?? o.mode ?? 'autopilot';
  const ready = { playbook: loaded.playbook, vars, env: o.env ?? process.env, agent: o.agent ?? 'anthropic', needsModel: needsModel(loaded.playbook, mode) };
  assertLocalReady(ready);
  const unsandboxed = o.noSandbox ? undefined : sandboxUnavailable();
  if (unsandboxed) throw new EnvironmentError(`the OS sandbox cannot start: ${unsandboxed}; install bubblewrap, socat and ripgrep, or pass --no-sandbox`);
  const store = new RunStore(o.home ? resolve(o.home) : undefined);
  const runId = store.newRunId();
  const paths = store.create(runId);
  const branch = `labpilot/${runId}`;
  const repo = loaded.playbook.workspace;
  const workspace = repo ? paths.workspace : resolve(o.workdir ?? paths.workspace);
  const unlock = store.lock(runId);
  const session = await openSession({
    runId,
    paths,
    loaded,
    vars,
    workspace,
    branch,
    model: o.model,
    agent: o.agent,
    decider: o.view?.decider ?? o.decider,
    printer: o.view ? undefined : choosePrinter(o),
    env: o.env,
    noSandbox: o.noSandbox,
  });
  o.view?.attach(session, runId);
  const begin = async () => {
    session.bus.emit({
      type: 'run_started',
      runId,
      playbook: loaded.playbook.name,
      playbookPath: resolve(o.playbook),
      playbookHash: loaded.hash,
      vars,
      mode,
      workspace,
      branch,
      agent: session.agentName,
      model: session.model,
      sandbox: session.sandbox,
      ...runAnnotations(loaded.playbook),
    });
    const spec = { repo: repo && { url: renderTemplate(repo.repo, vars), ref: repo.ref && renderTemplate(repo.ref, vars) }, workspace, branch, runDir: paths.dir };
    await prepareWorkspace(spec, createGit(), session.bus);
    // The model server is asked only now, so a repository that cannot be cloned says so first;
    // a run that cannot reach its model is not kept.
    await assertEndpointReady(ready).catch((err: unknown) => {
      session.close();
      rmSync(paths.dir, { recursive: true, force: true });
      throw err;
    });
  };
  // The summary repeats it: what ran, ran contained or not.
  const afterSummary = (out?: NodeJS.WritableStream) => out?.write(`sandbox: ${session.sandbox.detail}\n`);
  return driveToVerdict(o, { runId, session, playbook: loaded.playbook, vars, unlock, begin, afterSummary });
}
