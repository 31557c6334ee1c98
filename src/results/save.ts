import { readFileSync } from 'node:fs';
import { writeFileIn } from '../agent/tools/safe-fs.js';
import { PathEscapeError } from '../agent/tools/jail.js';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { readEventLog } from '../runs/log.js';
import type { EventOf } from '../events/schema.js';
import type { Git } from '../ports.js';
import { InputError, messageOf } from '../errors.js';

/**
 * The guide's last step, done by labpilot rather than asked of the agent: the run's report goes
 * into the repository's results folder, everything the run changed is committed on the run's
 * branch, and the branch is pushed when the repository has a remote. The run log is left as it
 * is: its last event stays the verdict, and the commit is in the repository's history.
 */
export interface SaveOptions {
  log: string;
  /** The report files to copy (report.md, report.html). */
  files: string[];
  /** Folder inside the run's workspace, e.g. RVQExperiment/phase3/results. */
  dir: string;
  git: Git;
  push: boolean;
}

export interface SaveResult {
  saved: string[];
  commit?: { sha: string; files: string[] };
  branch: string;
  /** true: pushed; false: no remote configured; a string: the push failed with this message. */
  pushed: boolean | string;
}

export async function saveResults(o: SaveOptions): Promise<SaveResult> {
  const { events } = await readEventLog(o.log);
  const started = events.find((e): e is EventOf<'run_started'> => e.type === 'run_started');
  if (!started) throw new InputError(`${o.log} has no run_started event`);
  if (!events.some((e) => e.type === 'run_ended')) throw new InputError(`run ${started.runId} has not finished; its results cannot be saved yet`);
  const target = resolve(started.workspace, o.dir);
  const outside = (root: string, path: string) => {
    const r = relative(root, path);
    return r.startsWith('..') || isAbsolute(r);
  };
  if (outside(started.workspace, target)) throw new InputError(`results folder ${o.dir} is outside the run's workspace`);
  // Written through safe-fs: the agent may have left a link where the folder or a report file
  // should be, and no component of the path is followed through one (nor a hard link written).
  const saved = o.files.map((f) => {
    const to = relative(started.workspace, join(target, `labpilot-${basename(f)}`));
    try {
      writeFileIn(started.workspace, to, relinked(readFileSync(f, 'utf8'), relative(target, dirname(f))));
    } catch (err) {
      if (err instanceof PathEscapeError) throw new InputError(`results folder ${o.dir}: ${err.message}; nothing written there`);
      throw err;
    }
    return to;
  });

  await o.git.ensureRepo(started.workspace, started.branch);
  const message = `labpilot: results of run ${started.runId}`;
  const commit = await o.git.commitAll(started.workspace, message);
  let pushed: SaveResult['pushed'] = false;
  if (o.push) {
    try {
      pushed = await o.git.push(started.workspace, started.branch);
    } catch (err) {
      pushed = messageOf(err).trim().split('\n')[0] ?? 'push failed';
    }
  }

  return { saved, commit, branch: started.branch, pushed };
}

/**
 * The report's links to the run's command logs and results files, made relative to where the
 * copy is saved: they lead back into the run folder (on the machine that ran it).
 */
export function relinked(report: string, toRunFolder: string): string {
  const prefix = toRunFolder.split(sep).join('/');
  return report.replace(/(\]\(|href=")(commands|results)\//g, (_m, open: string, folder: string) => `${open}${prefix}/${folder}/`);
}
