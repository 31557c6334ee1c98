import { mkdirSync, readdirSync, existsSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { readEventLog } from './log.js';
import { startTimeOf } from './stale-commands.js';
import { InputError } from '../errors.js';
import type { Event } from '../events/schema.js';

/** Where runs live: `<home>/runs/<id>/` with events.jsonl, commands/ and workspace/. */
export class RunStore {
  readonly root: string;

  constructor(home = resolve('.labpilot')) {
    this.root = join(home, 'runs');
  }

  newRunId(now = new Date()): string {
    const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    return `${stamp}-${randomBytes(2).toString('hex')}`;
  }

  create(id: string): RunPaths {
    const paths = this.paths(id);
    mkdirSync(paths.commands, { recursive: true });
    return paths;
  }

  paths(id: string): RunPaths {
    const dir = join(this.root, id);
    return {
      id,
      dir,
      log: join(dir, 'events.jsonl'),
      commands: join(dir, 'commands'),
      workspace: join(dir, 'workspace'),
      lock: join(dir, 'pid'),
    };
  }

  /** The run's folder, or a one-line error naming the runs that exist. */
  find(id: string): RunPaths {
    const paths = this.paths(id);
    if (!existsSync(paths.log)) throw new InputError(`no run '${id}' under ${this.root} (see: labpilot runs)`);
    if (!statSync(paths.log).isFile()) throw new InputError('cannot read the run log (not a file)', paths.log);
    return paths;
  }

  ids(): string[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root).filter((d) => existsSync(join(this.root, d, 'events.jsonl'))).sort();
  }

  /** Every run's summary, with what `facts` reads from its log (of a damaged log: from none). */
  async summaries<T extends object>(facts: (events: Event[], live: boolean) => T = () => ({}) as T): Promise<Array<RunSummary & T>> {
    const out: Array<RunSummary & T> = [];
    for (const id of this.ids()) {
      try {
        const { events } = await readEventLog(this.paths(id).log);
        const live = this.isLive(id);
        out.push({ ...summarise(id, events, live), ...facts(events, live) });
      } catch (err) {
        // One damaged log does not hide the other runs; it is listed with where it is damaged.
        if (!(err instanceof InputError)) throw err;
        out.push({ id, playbook: '?', status: 'damaged', reason: err.message, started: '', steps: 0, ...facts([], false) });
      }
    }
    return out;
  }

  /**
   * Marks the run as owned by this process, so `runs` can tell running from interrupted: its pid
   * and its start time, so a pid the system has since given to another process is not taken for it.
   */
  lock(id: string): () => void {
    const { lock } = this.paths(id);
    writeFileSync(lock, `${process.pid} ${startTimeOf(process.pid) ?? ''}`.trim());
    return () => rmSync(lock, { force: true });
  }

  /** Whether the lock's process still runs; an empty or unreadable lock, or a reused pid, is stale. */
  isLive(id: string): boolean {
    const { lock } = this.paths(id);
    let fields: string[];
    try {
      fields = readFileSync(lock, 'utf8').trim().split(/\s+/);
    } catch {
      return false;
    }
    const pid = Number(fields[0]);
    if (!Number.isInteger(pid) || pid <= 1) return false;
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
    }
    const now = startTimeOf(pid);
    return fields[1] === undefined || now === undefined || now === fields[1];
  }
}

export interface RunPaths {
  id: string;
  dir: string;
  log: string;
  commands: string;
  workspace: string;
  lock: string;
}

export interface RunSummary {
  id: string;
  playbook: string;
  status: string;
  reason: string;
  started: string;
  steps: number;
}

export function summarise(id: string, events: Event[], live: boolean): RunSummary {
  const started = events.find((e) => e.type === 'run_started');
  const ended = [...events].reverse().find((e) => e.type === 'run_ended');
  const steps = new Set(events.filter((e) => e.type === 'step_done' && e.outcome === 'passed').map((e) => (e as { step: string }).step));
  // A run attached to Claude Code (`labpilot attach`) goes on at each hook call, not in a process of its own.
  const attached = started?.type === 'run_started' && started.agent === 'claude-code-hooks';
  return {
    id,
    playbook: started?.type === 'run_started' ? started.playbook : '?',
    status: ended?.type === 'run_ended' ? ended.verdict : live ? 'running' : attached ? 'attached' : 'interrupted',
    reason: ended?.type === 'run_ended' ? ended.reason : live ? '' : attached ? 'in Claude Code; end with: labpilot detach' : 'resume with: labpilot resume ' + id,
    started: started?.ts ?? '',
    steps: steps.size,
  };
}
