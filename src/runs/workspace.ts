import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { relative, isAbsolute } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Event, EventOf } from '../events/schema.js';
import type { Git } from '../ports.js';
import type { EventBus } from './bus.js';
import { gitEnv } from '../runner/git.js';

const run = promisify(execFile);

/** git in `dir` with labpilot's guarded environment; stdout trimmed. */
async function git(dir: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd: dir, env: gitEnv(), maxBuffer: 16 << 20 });
  return stdout.trim();
}

export interface WorkspaceSpec {
  /** The repository to clone; none: `workspace` is made a repository where it is. */
  repo?: { url: string; ref?: string };
  workspace: string;
  branch: string;
  /** The run's folder: a half-made clone inside it may be removed and made again. */
  runDir: string;
}

/**
 * Makes the run's workspace, as the run's first step: after `run_started` is logged, so a run
 * killed during the clone is listed and resumable, and `workspace_ready` says it is done. A
 * resume that finds no `workspace_ready` removes what a cut clone left and clones again.
 */
export async function prepareWorkspace(spec: WorkspaceSpec, git_: Git, bus: EventBus): Promise<void> {
  if (spec.repo) {
    const inside = relative(spec.runDir, spec.workspace);
    if (existsSync(spec.workspace) && !inside.startsWith('..') && !isAbsolute(inside)) rmSync(spec.workspace, { recursive: true, force: true });
    await git_.clone(spec.repo.url, spec.workspace, spec.branch, spec.repo.ref);
  } else {
    mkdirSync(spec.workspace, { recursive: true });
    await git_.ensureRepo(spec.workspace, spec.branch);
  }
  bus.emit({ type: 'workspace_ready', workspace: spec.workspace, head: await git(spec.workspace, 'rev-parse', 'HEAD') });
}

/**
 * A run killed between an agent turn's commit and its `commit_made` event leaves a commit the
 * log lacks: each such commit on the run's branch (after the last one logged, or after the
 * workspace was made) is logged now, so the log again says what HEAD holds.
 */
export async function reconcileCommits(events: Event[], workspace: string, branch: string, bus: EventBus): Promise<number> {
  if (!existsSync(workspace)) return 0;
  const logged = events.filter((e): e is EventOf<'commit_made'> => e.type === 'commit_made').at(-1)?.sha;
  const base = logged ?? events.find((e): e is EventOf<'workspace_ready'> => e.type === 'workspace_ready')?.head;
  if (!base) return 0;
  let lines: string;
  try {
    if ((await git(workspace, 'rev-parse', 'HEAD')) === base) return 0;
    lines = await git(workspace, 'log', '--reverse', '--format=%H%x09%s', `${base}..HEAD`);
  } catch {
    return 0;
  }
  let n = 0;
  for (const line of lines.split('\n').filter(Boolean)) {
    const [sha, message = ''] = line.split('\t');
    // Only a turn's commit has an event; the results commit after the verdict is not one.
    if (!message.startsWith('labpilot: ') || message.startsWith('labpilot: results of run')) continue;
    const files = (await git(workspace, 'show', '--name-only', '--format=', sha!)).split('\n').filter(Boolean);
    bus.emit({ type: 'commit_made', sha: sha!, branch, message, files });
    n++;
  }
  return n;
}
