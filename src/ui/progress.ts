/**
 * Progress of an evaluation command while it streams, read from its output lines. The line
 * formats are those of the OpenVLA-OFT LIBERO evaluation loop (`# episodes completed so far: N`,
 * `# successes: S (p%)`, `Task: ...`, `Current task success rate: r`), the loop labpilot's
 * evaluation playbooks run; a command printing none of them shows no bar.
 */
export interface TaskProgress {
  name: string;
  /** Success rate within the task so far, 0..1, once the loop reported one. */
  rate?: number;
}

export interface Progress {
  episodes: number;
  /** Episodes the command will run: trials per task times tasks, once both are known. */
  total?: number;
  successes?: number;
  trials?: number;
  tasks?: number;
  perTask: TaskProgress[];
  /** When the command started (ms), to estimate the time left from the pace so far. */
  startedAt: number;
}

const EPISODES = /^# episodes completed so far: (\d+)/;
const SUCCESSES = /^# successes: (\d+)/;
const TASK = /^Task: (.+)$/;
const TASK_RATE = /^Current task success rate: ([0-9.]+)/;
const TASK_COUNT = /\((\d+) tasks\)/;
const TRIALS_OUT = /trials\/task=(\d+)/;
const TRIALS_CMD = /--num-trials[ =]'?(\d+)/;

export function startProgress(command: string, at: number): Progress {
  const trials = TRIALS_CMD.exec(command)?.[1];
  return { episodes: 0, perTask: [], startedAt: at, trials: trials === undefined ? undefined : Number(trials) };
}

/** Folds one output line; returns the same object when the line says nothing about progress. */
export function progressLine(p: Progress, line: string): Progress {
  let m: RegExpExecArray | null;
  if ((m = EPISODES.exec(line))) return { ...p, episodes: Number(m[1]) };
  if ((m = SUCCESSES.exec(line))) return { ...p, successes: Number(m[1]) };
  if ((m = TASK.exec(line))) {
    const name = m[1]!.trim();
    return p.perTask.at(-1)?.name === name ? p : { ...p, perTask: [...p.perTask, { name }] };
  }
  if ((m = TASK_RATE.exec(line)) && p.perTask.length > 0) {
    const last = { ...p.perTask.at(-1)!, rate: Number(m[1]) };
    return { ...p, perTask: [...p.perTask.slice(0, -1), last] };
  }
  if ((m = TASK_COUNT.exec(line))) return withTotal({ ...p, tasks: Number(m[1]) });
  if (p.trials === undefined && (m = TRIALS_OUT.exec(line))) return withTotal({ ...p, trials: Number(m[1]) });
  return p;
}

function withTotal(p: Progress): Progress {
  return p.trials !== undefined && p.tasks !== undefined ? { ...p, total: p.trials * p.tasks } : p;
}

/** Estimated milliseconds left, from the pace since the command started. */
export function timeLeft(p: Progress, now: number): number | undefined {
  if (p.total === undefined || p.episodes === 0 || p.episodes >= p.total) return undefined;
  const perEpisode = (now - p.startedAt) / p.episodes;
  return Math.round(perEpisode * (p.total - p.episodes));
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
