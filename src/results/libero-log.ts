/**
 * Figures of an OpenVLA-OFT LIBERO evaluation, parsed from its output line by line as it
 * streams (the log format of experiments/robot/libero/run_libero_eval.py, plus the summary and
 * per-episode timing lines of the evaluation harness). Used live, for early stopping, and after
 * the fact, for the report; both read the same lines, so both see the same figures.
 */

export interface Episode {
  /** 1-based, in the order the output reported them. */
  n: number;
  /** 1-based index of the task (`Task: ...` lines seen so far). */
  task: number;
  success: boolean;
  /** The text of the `Episode error:` line when the episode crashed. */
  error?: string;
  /** Mean inference time of the episode (`Episode inference time:`), when the output gives it. */
  inferenceMs?: number;
  queries?: number;
}

export interface TaskResult {
  task: number;
  description?: string;
  episodes: number;
  successes: number;
  /** OpenVLA-OFT's own `Current task success rate:` when the output printed it. */
  successRate?: number;
}

export interface StageFigures {
  suite?: string;
  episodes: Episode[];
  /** Running counts as the loop prints them (`# episodes completed so far`, `# successes`). */
  live: { episodes: number; successes: number; errors: number };
  /** Per task: from the final `Task i success: s/n` lines, else counted from the episodes. */
  tasks: TaskResult[];
  totals?: { episodes: number; successes: number; successRate?: number };
  inference?: { meanMs: number; draftMs?: number; mainMs?: number };
  /** Draft acceptance rate; null when the output says `n/a` (nothing was drafted). */
  acceptance?: number | null;
  resultsFile?: string;
}

type Rule = [RegExp, (m: RegExpExecArray, f: Mutable) => void];

interface Mutable extends StageFigures {
  descriptions: string[];
  finalTasks: Map<number, { episodes: number; successes: number }>;
  taskRates: Map<number, number>;
  /** The current task printed its `Current task success rate`: the next `Task:` starts a new one. */
  taskClosed: boolean;
  pendingError?: string;
}

const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));

const RULES: Rule[] = [
  [/^Task suite: (\S+)/, (m, f) => void (f.suite = m[1])],
  [
    // OpenVLA-OFT logs `Task:` before every episode, not once per task.
    /^Task: (.*)$/,
    (m, f) => {
      const d = m[1]!.trim();
      if (f.taskClosed || d !== f.descriptions[f.descriptions.length - 1]) f.descriptions.push(d);
      f.taskClosed = false;
    },
  ],
  [
    /^Current task success rate: ([0-9.]+)/,
    (m, f) => {
      f.taskRates.set(Math.max(1, f.descriptions.length), Number(m[1]));
      f.taskClosed = true;
    },
  ],
  [/^Starting episode \d+/, (_m, f) => void (f.pendingError = undefined)],
  [
    /^Episode error: (.*)$/,
    (m, f) => {
      f.pendingError = m[1];
      f.live.errors++;
    },
  ],
  [
    /^Success: (True|False)\b/,
    (m, f) => {
      f.episodes.push({ n: f.episodes.length + 1, task: Math.max(1, f.descriptions.length), success: m[1] === 'True', ...(f.pendingError !== undefined && { error: f.pendingError }) });
      f.pendingError = undefined;
    },
  ],
  [/^# episodes completed so far: (\d+)/, (m, f) => void (f.live.episodes = Number(m[1]))],
  [/^# successes: (\d+)/, (m, f) => void (f.live.successes = Number(m[1]))],
  [
    /^Episode inference time: ([0-9.]+) ms\/step(?: \((\d+) queries\))?/,
    (m, f) => {
      const last = f.episodes[f.episodes.length - 1];
      if (!last || last.inferenceMs !== undefined) return;
      last.inferenceMs = Number(m[1]);
      if (m[2] !== undefined) last.queries = Number(m[2]);
    },
  ],
  [/^Total episodes: (\d+)/, (m, f) => void (f.totals = { ...(f.totals ?? { successes: 0 }), episodes: Number(m[1]) })],
  [/^Total successes: (\d+)/, (m, f) => void (f.totals = { ...(f.totals ?? { episodes: 0 }), successes: Number(m[1]) })],
  [/^Overall success rate: ([0-9.]+)/, (m, f) => void (f.totals = { ...(f.totals ?? { episodes: 0, successes: 0 }), successRate: Number(m[1]) })],
  [
    /^Average inference time: ([0-9.]+) ms(?:\/step)?(?: \(draft ([0-9.]+) ms, main ([0-9.]+) ms\))?/,
    (m, f) => void (f.inference = { meanMs: Number(m[1]), draftMs: num(m[2]), mainMs: num(m[3]) }),
  ],
  [/^Draft acceptance rate: ([0-9.]+|n\/a)/, (m, f) => void (f.acceptance = m[1] === 'n/a' ? null : Number(m[1]))],
  [/^Task (\d+) success: (\d+)\/(\d+)/, (m, f) => void f.finalTasks.set(Number(m[1]), { successes: Number(m[2]), episodes: Number(m[3]) })],
  [/^Results saved to (\S+)/, (m, f) => void (f.resultsFile = m[1])],
];

export interface LiberoParser {
  /** Feeds one output line; true when a figure changed. */
  line(text: string): boolean;
  figures(): StageFigures;
}

export function createLiberoParser(): LiberoParser {
  const f: Mutable = { episodes: [], live: { episodes: 0, successes: 0, errors: 0 }, tasks: [], descriptions: [], finalTasks: new Map(), taskRates: new Map(), taskClosed: false };
  return {
    line(text) {
      // Lines arrive normalised (src/output/); one read back from elsewhere may keep a "\r".
      const t = text.replace(/\r$/, '');
      for (const [re, apply] of RULES) {
        const m = re.exec(t);
        if (!m) continue;
        apply(m, f);
        return true;
      }
      return false;
    },
    figures() {
      const { descriptions, finalTasks, taskRates, taskClosed: _closed, pendingError: _pending, ...out } = f;
      const tasks = tasksOf(f.episodes, descriptions, finalTasks).map((t) => (taskRates.has(t.task) ? { ...t, successRate: taskRates.get(t.task)! } : t));
      return { ...out, episodes: [...f.episodes], live: { ...f.live }, tasks };
    },
  };
}

/** The harness's final per-task lines when present; otherwise what the episode lines add up to. */
function tasksOf(episodes: Episode[], descriptions: string[], final: Map<number, { episodes: number; successes: number }>): TaskResult[] {
  const counted = new Map<number, { episodes: number; successes: number }>();
  for (const e of episodes) {
    const t = counted.get(e.task) ?? { episodes: 0, successes: 0 };
    t.episodes++;
    if (e.success) t.successes++;
    counted.set(e.task, t);
  }
  const source = final.size > 0 ? final : counted;
  return [...source.keys()]
    .sort((a, b) => a - b)
    .map((task) => ({ task, description: descriptions[task - 1], ...source.get(task)! }));
}

/** Parses a finished stage's output. */
export function parseLiberoOutput(lines: Iterable<string>): StageFigures {
  const p = createLiberoParser();
  for (const l of lines) p.line(l);
  return p.figures();
}
