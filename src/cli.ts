import { createRequire } from 'node:module';
import type { Option as OptionType } from 'commander';
import { exitCodeOf, isCommanderError, messageOf } from './errors.js';
import { packageVersion } from './package-root.js';
import { TRANSCRIPT_FORMATS } from './replay/import/detect.js';

// commander is CommonJS: required as such, it loads without Node parsing it for ES module
// exports first (the terminal app's first frame waits on the CLI loading).
const { Command, Option } = createRequire(import.meta.url)('commander') as typeof import('commander');

// Thin: commander parses, each command is one function in commands/ (loaded on demand, so
// `labpilot lint` does not pay for the SDK and the UI).
const program = new Command('labpilot')
  .description('Run LLM-agent playbooks: interactive, autopilot, replay.')
  .option('--home <dir>', 'where runs are kept', '.labpilot')
  .version(packageVersion(), '--version', 'print the version')
  // Bad arguments exit 2 (bad input) through the one error path below, not commander's exit 1.
  .exitOverride()
  .showSuggestionAfterError()
  .showHelpAfterError();

const home = (): string => program.opts().home as string;
const collect = (v: string, acc: string[]) => [...acc, v];

/** Options several commands take, each worded once (`var` with its help said another way where it helps). */
const SHARED = {
  var: (help = 'set a playbook variable (repeatable)') => new Option('--var <key=value>', help).argParser(collect).default([]),
  mode: () => new Option('--mode <mode>', 'who decides (default: interactive in a terminal, else autopilot)').choices(['interactive', 'autopilot']),
  json: () => new Option('--json', 'print every event as NDJSON'),
  verbose: () => new Option('-v, --verbose', 'also print command output lines'),
  notify: () => new Option('--notify <url>', 'POST {"text": ...} to this webhook (Slack-compatible) when you are needed and when the run ends'),
};

/** A command's option: a shared one by name, `[flags, help, default?]`, or a built Option. */
type OptionRow = keyof typeof SHARED | [flags: string, help: string, value?: string] | OptionType;

/** Declares a command with its options in the order `--help` lists them. */
function command(usage: string, description: string, options: OptionRow[] = []) {
  const c = program.command(usage).description(description);
  for (const row of options) {
    if (typeof row === 'string') c.addOption(SHARED[row]());
    else if (Array.isArray(row)) c.addOption(new Option(row[0], row[1]).default(row[2]));
    else c.addOption(row);
  }
  return c;
}

/** The terminal app when the run is shown in a terminal, mounted before the engine loads. */
async function openView(o: { mode?: string; json?: boolean; standins?: boolean }) {
  const { chooseFrontEnd } = await import('./ui/front-end.js');
  const front = chooseFrontEnd(o);
  if (!front.app) return undefined;
  // The build bundles the app into one module (scripts/bundle-ui.mjs), so the first frame is not
  // spent resolving and compiling Ink's modules one by one; else the unbundled app.
  const { loadLaunch } = await import('./ui/launch-load.js');
  const { openAppView } = await loadLaunch();
  return openAppView({ mode: front.mode, standins: o.standins });
}
type View = Awaited<ReturnType<typeof openView>>;

const done = (code: number) => {
  process.exitCode = code;
};

/** Runs a command with its view (if any), sets the exit code it returns, and closes the view after. */
async function inView(view: View, run: () => Promise<{ code: number }>): Promise<void> {
  try {
    done((await run()).code);
  } finally {
    await view?.close();
  }
}

command('run <playbook>', 'run a playbook', [
  'var',
  'mode',
  ['--model <name>', 'model for the agent'],
  ['--agent <name>', 'agent backend', 'anthropic'],
  ['--workdir <dir>', 'workspace when the playbook does not clone one'],
  ['--no-sandbox', "run the agent's shell and the stage commands without the OS sandbox (logged and reported)"],
  'json',
  'verbose',
  'notify',
]).action(async (playbook: string, o) => {
  const view = await openView(o);
  await inView(view, async () =>
    (await import('./commands/run.js')).runCommand({ playbook, ...o, mode: view?.decider.mode ?? 'autopilot', view, vars: o.var, home: home(), noSandbox: o.sandbox === false }),
  );
});

command('resume <run-id>', 'continue a stopped run from its log', [
  ['--from-step <step>', "rerun from this step of a run, even an ended one, as a new run keeping the agent's work"],
  'mode',
  'json',
  'verbose',
  'notify',
]).action(async (runId: string, o) => {
  const view = await openView(o);
  await inView(view, async () => (await import('./commands/resume.js')).resumeCommand({ runId, ...o, view, home: home() }));
});

command('watch <run-id>', 'follow a run started elsewhere, read-only, in the same app (or plain lines); ends with it', [
  'json',
  'verbose',
  ['--notify <url>', 'POST {"text": ...} to this webhook (Slack-compatible) when the run needs a person or ends'],
]).action(async (runId: string, o) => {
  const view = await openView({ mode: 'autopilot', json: o.json });
  done(await (await import('./commands/watch.js')).watchCommand({ runId, ...o, view, home: home() }));
});

command('runs', 'list runs with their status', [['--json', 'one JSON object per run']])
  .action(async (o) => done(await (await import('./commands/runs.js')).runsCommand({ ...o, home: home() })));

command('report <run-id>', "build a run's report from its log: compact on the terminal, Markdown and HTML in files", [
  ['--md <file>', 'write the Markdown here (default: report.md in the run folder)'],
  ['--html <file>', 'write the HTML page here (default: report.html in the run folder)'],
  ['--save <dir>', "also save it in this folder of the run's repository, commit on the run's branch and push"],
  ['--no-push', 'with --save: commit but do not push'],
]).action(async (runId: string, o) => done(await (await import('./commands/report.js')).reportCommand({ runId, ...o, home: home() })));

command('lint <playbooks...>', 'check playbooks; prints file:line:col: problem and exits 2 on any (then try rules on a saved log with `labpilot parse`)')
  .action(async (paths: string[]) => done(await (await import('./commands/lint.js')).lintCommand(paths)));

command('parse <playbook> <log-file>', 'what a run step would make of a saved output: figures, triggers, gates, the remediation chosen (runs nothing)', [
  ['--step <id>', 'the run step to read it as (default: the first run step)'],
  ['--exit-code <n>', 'the exit code the command had, to judge exit_code gates'],
  'var',
  ['--json', 'print one JSON object: metrics, triggers, gates, remediation'],
]).action(async (playbook: string, log: string, o) => done(await (await import('./commands/parse.js')).parseCommand({ playbook, log, ...o, vars: o.var })));

command('demo', 'run the RSD Phase 3 playbook offline on the sample experiment (autopilot)', [
  ['--interactive', 'a person decides in the terminal app'],
  ['--resume <run-id>', 'resume a demo run, with its stand-ins brought back'],
  SHARED.var('set a playbook variable, e.g. suites=libero_spatial,libero_object (repeatable)'),
  ['--session <file>', "play this scripted agent session instead of the demo's own"],
  'json',
  'verbose',
]).action(async (o) => {
  const view = o.interactive ? await openView({ mode: 'interactive', json: o.json, standins: true }) : undefined;
  await inView(view, async () => (await import('./commands/demo.js')).demoCommand({ ...o, view, home: home() }));
});

command('standin', 'serve a scripted session as a local Messages API (for tests and demos)', [
  new Option('--session <file>', 'scripted session YAML').makeOptionMandatory(),
  new Option('--port <n>', 'port (default: any free one)').argParser(Number),
]).action(async (o) => (await import('./commands/standin.js')).standinCommand(o));

command('replay <run-or-file>', "run a playbook again on a run's recorded answers, or measure another agent's transcript against one", [
  ['--playbook <file>', 'the playbook to try (default: the one the run used)'],
  ['--check', 'exit 1 when the decisions differ (a transcript: when a follow-up is missed)'],
  ['--format <name>', `force the input format: ${TRANSCRIPT_FORMATS.join(', ')}`],
  ['--strict', 'stop at the first malformed line, with its location (default: lenient, skip and count)'],
  ['--json', 'print the result (or the imported events) as JSON'],
  ['--step', 'step through it in the terminal: n/p next/previous point, t/T next/previous trigger, q quit'],
]).action(async (target: string, o) => done(await (await import('./commands/replay.js')).replayCommand({ target, ...o, home: home() })));

command('init <name>', 'write NAME.yaml and prompts/NAME/: a lint-clean playbook to edit (--from drafts it from a transcript)', [
  ['--from <transcript>', "draft steps from the person's prompts and fixes from their follow-ups after errors"],
]).action(async (name: string, o) => done(await (await import('./commands/init.js')).initCommand({ name, ...o })));

command('graph <playbook>', 'print the run a playbook compiles to as a Mermaid stateDiagram-v2 (steps, gates, remediations)')
  .action(async (playbook: string) => done(await (await import('./commands/graph.js')).graphCommand({ playbook })));

command('attach <playbook>', "supervise the Claude Code session you run in this repository: a run in hook mode, labpilot's hooks in .claude/settings.local.json", ['var'])
  .action(async (playbook: string, o) => done(await (await import('./commands/attach.js')).attachCommand({ playbook, vars: o.var, home: home() })));

command('detach', 'remove the hooks attach installed (the settings file as it was) and end the attached run')
  .action(async () => done(await (await import('./commands/detach.js')).detachCommand({ home: home() })));

command('hook <event>', 'answer one Claude Code hook call (JSON on stdin and stdout); attach installs these', [
  new Option('--run <id>', 'the attached run').makeOptionMandatory(),
]).action(async (event: string, o) => done(await (await import('./commands/hook.js')).hookCommand({ event, run: o.run, home: home() })));

program.parseAsync(process.argv).catch((err: unknown) => {
  // commander has printed its own message (and the "did you mean") already.
  if (!isCommanderError(err)) process.stderr.write(`labpilot: ${messageOf(err)}\n`);
  process.exit(exitCodeOf(err));
});
