import { createRequire } from 'node:module';
import { exitCodeOf, messageOf } from './errors.js';
import { cliExitCode } from './commands/cli-conventions.js';
import { packageVersion } from './package-root.js';

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

const collect = (v: string, acc: string[]) => [...acc, v];

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
const done = (code: number) => {
  process.exitCode = code;
};

program
  .command('run <playbook>')
  .description('run a playbook')
  .option('--var <key=value>', 'set a playbook variable (repeatable)', collect, [])
  .addOption(new Option('--mode <mode>', 'who decides (default: interactive in a terminal, else autopilot)').choices(['interactive', 'autopilot']))
  .option('--model <name>', 'model for the agent')
  .option('--agent <name>', 'agent backend', 'anthropic')
  .option('--workdir <dir>', 'workspace when the playbook does not clone one')
  .option('--no-sandbox', "run the agent's shell and the stage commands without the OS sandbox (logged and reported)")
  .option('--json', 'print every event as NDJSON')
  .option('-v, --verbose', 'also print command output lines')
  .option('--notify <url>', 'POST {"text": ...} to this webhook (Slack-compatible) when you are needed and when the run ends')
  .action(async (playbook: string, o) => {
    const view = await openView(o);
    try {
      const { runCommand } = await import('./commands/run.js');
      const r = await runCommand({ playbook, ...o, mode: view?.decider.mode ?? 'autopilot', view, vars: o.var, home: program.opts().home, noSandbox: o.sandbox === false });
      done(r.code);
    } finally {
      await view?.close();
    }
  });

program
  .command('resume <run-id>')
  .description('continue a stopped run from its log')
  .option('--from-step <step>', "rerun from this step of a run, even an ended one, as a new run keeping the agent's work")
  .addOption(new Option('--mode <mode>', 'who decides (default: interactive in a terminal, else autopilot)').choices(['interactive', 'autopilot']))
  .option('--json', 'print every event as NDJSON')
  .option('-v, --verbose', 'also print command output lines')
  .option('--notify <url>', 'POST {"text": ...} to this webhook (Slack-compatible) when you are needed and when the run ends')
  .action(async (runId: string, o) => {
    const view = await openView(o);
    try {
      const { resumeCommand } = await import('./commands/resume.js');
      done((await resumeCommand({ runId, ...o, view, home: program.opts().home })).code);
    } finally {
      await view?.close();
    }
  });

program
  .command('watch <run-id>')
  .description('follow a run started elsewhere, read-only, in the same app (or plain lines); ends with it')
  .option('--json', 'print every event as NDJSON')
  .option('-v, --verbose', 'also print command output lines')
  .option('--notify <url>', 'POST {"text": ...} to this webhook (Slack-compatible) when the run needs a person or ends')
  .action(async (runId: string, o) => {
    const view = await openView({ mode: 'autopilot', json: o.json });
    const { watchCommand } = await import('./commands/watch.js');
    done(await watchCommand({ runId, ...o, view, home: program.opts().home }));
  });

program
  .command('runs')
  .description('list runs with their status')
  .option('--json', 'one JSON object per run')
  .action(async (o) => {
    const { runsCommand } = await import('./commands/runs.js');
    done(await runsCommand({ ...o, home: program.opts().home }));
  });

program
  .command('report <run-id>')
  .description("build a run's report from its log: compact on the terminal, Markdown and HTML in files")
  .option('--md <file>', 'write the Markdown here (default: report.md in the run folder)')
  .option('--html <file>', 'write the HTML page here (default: report.html in the run folder)')
  .option('--save <dir>', "also save it in this folder of the run's repository, commit on the run's branch and push")
  .option('--no-push', 'with --save: commit but do not push')
  .action(async (runId: string, o) => {
    const { reportCommand } = await import('./commands/report.js');
    done(await reportCommand({ runId, ...o, home: program.opts().home }));
  });

program
  .command('lint <playbooks...>')
  .description('check playbooks; prints file:line:col: problem and exits 2 on any (then try rules on a saved log with `labpilot parse`)')
  .action(async (paths: string[]) => {
    const { lintCommand } = await import('./commands/lint.js');
    done(await lintCommand(paths));
  });

program
  .command('parse <playbook> <log-file>')
  .description("what a run step would make of a saved output: figures, triggers, gates, the remediation chosen (runs nothing)")
  .option('--step <id>', 'the run step to read it as (default: the first run step)')
  .option('--exit-code <n>', 'the exit code the command had, to judge exit_code gates')
  .option('--var <key=value>', 'set a playbook variable (repeatable)', collect, [])
  .option('--json', 'print one JSON object: metrics, triggers, gates, remediation')
  .action(async (playbook: string, log: string, o) => {
    const { parseCommand } = await import('./commands/parse.js');
    done(await parseCommand({ playbook, log, ...o, vars: o.var }));
  });

program
  .command('demo')
  .description('run the RSD Phase 3 playbook offline on the sample experiment (autopilot)')
  .option('--interactive', 'a person decides in the terminal app')
  .option('--resume <run-id>', 'resume a demo run, with its stand-ins brought back')
  .option('--var <key=value>', 'set a playbook variable, e.g. suites=libero_spatial,libero_object (repeatable)', collect, [])
  .option('--session <file>', "play this scripted agent session instead of the demo's own")
  .option('--json', 'print every event as NDJSON')
  .option('-v, --verbose', 'also print command output lines')
  .action(async (o) => {
    const view = o.interactive ? await openView({ mode: 'interactive', json: o.json, standins: true }) : undefined;
    try {
      const { demoCommand } = await import('./commands/demo.js');
      done((await demoCommand({ ...o, view, home: program.opts().home })).code);
    } finally {
      await view?.close();
    }
  });

program
  .command('standin')
  .description('serve a scripted session as a local Messages API (for tests and demos)')
  .requiredOption('--session <file>', 'scripted session YAML')
  .option('--port <n>', 'port (default: any free one)', (v) => Number(v))
  .action(async (o) => {
    const { standinCommand } = await import('./commands/standin.js');
    await standinCommand(o);
  });

program
  .command('replay <run-or-file>')
  .description("run a playbook again on a run's recorded answers, or measure another agent's transcript against one")
  .option('--playbook <file>', 'the playbook to try (default: the one the run used)')
  .option('--check', 'exit 1 when the decisions differ (a transcript: when a follow-up is missed)')
  .option('--format <name>', 'force the input format: labpilot, claude-code, codex, anthropic, openai')
  .option('--strict', 'stop at the first malformed line, with its location (default: lenient, skip and count)')
  .option('--json', 'print the result (or the imported events) as JSON')
  .option('--step', 'step through it in the terminal: n/p next/previous point, t/T next/previous trigger, q quit')
  .action(async (target: string, o) => {
    const { replayCommand } = await import('./commands/replay.js');
    done(await replayCommand({ target, ...o, home: program.opts().home }));
  });

program
  .command('init <name>')
  .description('write NAME.yaml and prompts/NAME/: a lint-clean playbook to edit (--from drafts it from a transcript)')
  .option('--from <transcript>', "draft steps from the person's prompts and fixes from their follow-ups after errors")
  .action(async (name: string, o) => {
    const { initCommand } = await import('./commands/init.js');
    done(await initCommand({ name, ...o }));
  });

program
  .command('graph <playbook>')
  .description('print the run a playbook compiles to as a Mermaid stateDiagram-v2 (steps, gates, remediations)')
  .action(async (playbook: string) => {
    const { graphCommand } = await import('./commands/graph.js');
    done(await graphCommand({ playbook }));
  });

program
  .command('attach <playbook>')
  .description("supervise the Claude Code session you run in this repository: a run in hook mode, labpilot's hooks in .claude/settings.local.json")
  .option('--var <key=value>', 'set a playbook variable (repeatable)', collect, [])
  .action(async (playbook: string, o) => done(await (await import('./commands/attach.js')).attachCommand({ playbook, vars: o.var, home: program.opts().home })));

program
  .command('detach')
  .description('remove the hooks attach installed (the settings file as it was) and end the attached run')
  .action(async () => done(await (await import('./commands/detach.js')).detachCommand({ home: program.opts().home })));

program
  .command('hook <event>')
  .description("answer one Claude Code hook call (JSON on stdin and stdout); attach installs these")
  .requiredOption('--run <id>', 'the attached run')
  .action(async (event: string, o) => done(await (await import('./commands/hook.js')).hookCommand({ event, run: o.run, home: program.opts().home })));

program.parseAsync(process.argv).catch((err: unknown) => {
  // commander has printed its own message (and the "did you mean") already.
  const code = cliExitCode(err);
  if (code !== undefined) process.exit(code);
  process.stderr.write(`labpilot: ${messageOf(err)}\n`);
  process.exit(exitCodeOf(err));
});
