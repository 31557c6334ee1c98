import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { messageOf } from '../errors.js';
import { advance, allEvents, openHookRun, type HookRun } from './hook-run.js';
import type { Event, EventOf } from '../events/schema.js';
import type { RunPaths } from '../runs/store.js';

/**
 * A run step whose command may outlast a hook call runs in a process of its own, started by the
 * hook and left running when the hook returns. It holds the run's lock while it works, runs the
 * command as a resumed run would (the engine reissues what it waits on), goes on until the next
 * prompt or the end, and the next hook call delivers the result.
 */

const driverFile = (paths: RunPaths) => join(paths.dir, 'driver');

export function startDriver(run: HookRun): void {
  const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'labpilot.js'), '--home', run.home, 'hook', 'drive', '--run', run.id], {
    detached: true,
    stdio: 'ignore',
    cwd: run.started.workspace,
  });
  writeFileSync(driverFile(run.paths), String(child.pid));
  child.unref();
}

/** The detached driver's pid while it runs. */
export function runningDriver(paths: RunPaths): number | undefined {
  if (!existsSync(driverFile(paths))) return undefined;
  const pid = Number(readFileSync(driverFile(paths), 'utf8'));
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** `labpilot hook drive`: carries the run on from where the hook left it. */
export async function drive(home: string, id: string): Promise<void> {
  const run = await openHookRun(home, id);
  const stop = () => run.session.runner.stop();
  process.once('SIGTERM', stop);
  try {
    await advance(run, 'resume');
    if (run.context.verdict) await finishRun(run);
  } catch (err) {
    // Nobody reads this process's output: what went wrong goes in the run's log.
    run.emit({ type: 'notice', level: 'error', message: `the detached step stopped: ${messageOf(err)}` });
  } finally {
    process.off('SIGTERM', stop);
    rmSync(driverFile(run.paths), { force: true });
    run.close();
  }
}

/** The run has ended: its report is written; returns what the person is told. */
export async function finishRun(run: HookRun): Promise<string> {
  const v = run.context.verdict!;
  const head = `labpilot run ${run.id} ${v.verdict}: ${v.reason.replace(/[:\s]+$/, '')}.${v.verdict === 'passed' ? '' : lastEvidence(allEvents(run))}`;
  try {
    // Loaded only at the end: every other hook call is spared the report's modules.
    const { writeReport } = await import('../commands/report.js');
    const r = await writeReport({ runId: run.id, home: run.home });
    return `${head} Report: ${r.paths.md}`;
  } catch (err) {
    return `${head} The report could not be written: ${messageOf(err)}`;
  }
}

/** The last failed gate and the last trigger line: what the person needs to see why a run did not pass. */
function lastEvidence(events: Event[]): string {
  const gate = events.findLast((e): e is EventOf<'gate_judged'> => e.type === 'gate_judged' && !e.passed);
  const hit = events.findLast((e): e is EventOf<'trigger_matched'> => e.type === 'trigger_matched');
  const parts = [gate && `${gate.check}: ${gate.detail}`, hit?.line.trim()].filter(Boolean);
  return parts.length > 0 ? ` Last failure: ${parts.join('; ')}.` : '';
}
