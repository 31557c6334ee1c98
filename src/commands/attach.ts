import { execFileSync } from 'node:child_process';
import { join, relative, resolve } from 'node:path';
import { loadPlaybook } from '../playbook/load.js';
import { parseVarArgs, resolveVariables } from '../playbook/variables.js';
import { shellQuote } from '../playbook/template.js';
import { RunStore } from '../runs/store.js';
import { InputError } from '../errors.js';
import { packageRoot } from '../package-root.js';
import { advance, createHookRun, HOOK_AGENT, pendingPrompt } from '../hooks/hook-run.js';
import { installHooks, removeHooks, SETTINGS_FILE } from '../hooks/settings.js';
import { HOOK_EVENTS } from '../hooks/protocol.js';
import { readAttachment, writeAttachment } from '../hooks/attachment.js';
import { stepLine } from '../hooks/status.js';
import { excludeFromGit } from '../hooks/git-exclude.js';

export interface AttachOptions {
  playbook: string;
  vars?: string[];
  home?: string;
  cwd?: string;
  out?: NodeJS.WritableStream;
}

function git(cwd: string, ...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    throw new InputError(`${cwd} is not in a git repository; attach in the repository Claude Code works in`);
  }
}

/**
 * `labpilot attach <playbook>`: a run in hook mode on the repository at hand. Claude Code, run
 * by the person as usual, calls labpilot's hooks; labpilot delivers the playbook's prompts,
 * judges each step itself when Claude stops, and logs it all as any run.
 */
export async function attachCommand(o: AttachOptions): Promise<number> {
  const out = o.out ?? process.stdout;
  const cwd = resolve(o.cwd ?? '.');
  const project = git(cwd, 'rev-parse', '--show-toplevel');
  const home = resolve(cwd, o.home ?? '.labpilot');
  const store = new RunStore(home);
  const previous = readAttachment(home);
  // Hooks of an earlier attach are still installed, ended run or not: detach puts the file back first.
  if (previous) throw new InputError(`${previous.project} is attached to run ${previous.runId}; run \`labpilot detach\` first`);
  const loaded = await loadPlaybook(o.playbook);
  const given = parseVarArgs(o.vars ?? []);
  // The playbook's repository is the one Claude Code works in: a clone would be another folder.
  const repoVar = /^\{\{\s*([A-Za-z_][\w-]*)\s*\}\}$/.exec(loaded.playbook.workspace?.repo ?? '')?.[1];
  if (repoVar && given[repoVar] === undefined) given[repoVar] = project;
  const vars = resolveVariables(loaded.playbook, given);
  const runId = store.newRunId();
  const branch = git(project, 'rev-parse', '--abbrev-ref', 'HEAD');
  const started = {
    type: 'run_started' as const,
    runId,
    playbook: loaded.playbook.name,
    playbookPath: resolve(o.playbook),
    playbookHash: loaded.hash,
    vars,
    mode: 'autopilot' as const,
    workspace: project,
    branch,
    agent: HOOK_AGENT,
    model: 'claude-code',
  };
  // The hooks go in first: a settings file labpilot cannot edit stops attach before a run exists.
  const bin = join(packageRoot(), 'bin', 'labpilot.js');
  const command = (event: string) => [process.execPath, bin, '--home', home, 'hook', event, '--run', runId].map(shellQuote).join(' ');
  const { installed, kept } = installHooks(project, command);
  let run;
  try {
    run = await createHookRun(home, store, runId, loaded, started);
    await advance(run, started);
  } catch (err) {
    removeHooks(installed);
    throw err;
  } finally {
    run?.close();
  }
  writeAttachment(home, { runId, project, installed });
  const excluded = excludeFromGit(project, [home, installed.path]);
  const file = relative(cwd, installed.path) || SETTINGS_FILE;
  out.write(`labpilot: attached run ${runId} (${loaded.playbook.name}) to ${project}\n`);
  out.write(`  hooks installed in ${file}: ${HOOK_EVENTS.join(', ')}\n`);
  if (loaded.playbook.workspace) out.write(`  the playbook's repository is this one: nothing is cloned, and labpilot makes no commits here\n`);
  out.write(kept.length > 0 ? `  kept what was there: ${kept.join(', ')}\n` : `  ${installed.before === null ? 'the file is new' : 'the file held nothing else'}\n`);
  if (excluded.length > 0) out.write(`  kept out of git (in .git/info/exclude): ${excluded.join(', ')}\n`);
  out.write(`  ${stepLine(run)}\n`);
  if (pendingPrompt(run.context)) out.write(`  Claude gets the step's prompt when the session starts and with your first message.\n`);
  out.write(`\nGo on with:  claude\nWatch with:  labpilot runs    End with:  labpilot detach\n`);
  return 0;
}
