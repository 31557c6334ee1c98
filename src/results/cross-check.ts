import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { CommandRunner } from '../ports.js';
import type { StageFigures } from './libero-log.js';
import { parseLiberoOutput } from './libero-log.js';
import { normaliseText } from '../output/normaliser.js';
import { renderTemplate, shellQuote } from '../playbook/template.js';
import { messageOf } from '../errors.js';

/**
 * The results JSON a stage's script wrote, fetched from its Modal volume and read against the
 * figures labpilot parsed from the same stage's output. The two are written by different code
 * paths of the script (the summary lines and `json.dump`), so a disagreement means one of them
 * is wrong; it is reported as it is, never reconciled.
 */
export const DEFAULT_RESULTS_VOLUME = 'rsd-results';
export const DEFAULT_RESULTS_FILE_REGEX = '^Results saved to /results/(\\S+\\.json)';

/** The shape written by save_results() in modal_phase3_libero_eval.py; every field optional. */
interface ResultsJson {
  total_episodes?: number;
  total_successes?: number;
  success_rate?: number;
  per_task?: Array<{ task_id?: number; episodes?: number; successes?: number }>;
  inference?: { mean_ms?: number };
}

/** Printed precision of the log lines: `Overall success rate: 0.9000`, `Average inference time: 41.3 ms`. */
const RATE_TOLERANCE = 0.00005 + 1e-9;
const MS_TOLERANCE = 0.05 + 1e-9;

/** Each figure on which the JSON and the log disagree, as a readable line; empty when they agree. */
export function compareResults(json: ResultsJson, log: StageFigures): string[] {
  const out: string[] = [];
  const episodes = log.totals?.episodes ?? log.episodes.length;
  const successes = log.totals?.successes ?? log.episodes.filter((e) => e.success).length;
  const differ = (name: string, inJson: number | undefined, inLog: number | undefined, tolerance = 0) => {
    if (inJson === undefined) return;
    if (inLog === undefined) out.push(`${name}: ${inJson} in the JSON, not in the log`);
    else if (Math.abs(inJson - inLog) > tolerance) out.push(`${name}: ${inJson} in the JSON, ${inLog} in the log`);
  };
  differ('episodes', json.total_episodes, episodes);
  differ('successes', json.total_successes, successes);
  differ('success rate', json.success_rate, log.totals?.successRate ?? (episodes > 0 ? successes / episodes : undefined), RATE_TOLERANCE);
  if (json.per_task) {
    const logTasks = new Map(log.tasks.map((t) => [t.task, t]));
    json.per_task.forEach((t, i) => {
      // task_id is 0-based in the JSON; the log numbers tasks from 1.
      const n = (t.task_id ?? i) + 1;
      const l = logTasks.get(n);
      logTasks.delete(n);
      if (!l) return void out.push(`task ${n}: ${t.successes}/${t.episodes} in the JSON, not in the log`);
      if (t.episodes !== l.episodes || t.successes !== l.successes) out.push(`task ${n}: ${t.successes}/${t.episodes} in the JSON, ${l.successes}/${l.episodes} in the log`);
    });
    for (const l of logTasks.values()) out.push(`task ${l.task}: not in the JSON, ${l.successes}/${l.episodes} in the log`);
  }
  differ('mean inference ms', json.inference?.mean_ms, log.inference?.meanMs, MS_TOLERANCE);
  return out;
}

export interface CrossCheckRequest {
  commandId: string;
  /** The step's `results` key. */
  spec: { volume?: string; file_regex?: string };
  vars: Record<string, string>;
  /** The stage's command log: the lines labpilot parsed. */
  logFile: string;
  /** `<run-dir>/results/`: where the JSON is fetched to. */
  dir: string;
  cwd: string;
  commands: CommandRunner;
  env?: Record<string, string>;
  signal?: AbortSignal;
}

export interface CrossCheckNotice {
  level: 'info' | 'warn';
  message: string;
}

/** Fetches the named results file and compares it; undefined when the output named none. */
export async function crossCheckResults(r: CrossCheckRequest): Promise<CrossCheckNotice | undefined> {
  const lines = normaliseText(readFileSync(r.logFile, 'utf8'));
  const re = new RegExp(r.spec.file_regex ?? DEFAULT_RESULTS_FILE_REGEX);
  const file = lines.map((l) => re.exec(l)?.[1]).filter((f) => f !== undefined).at(-1);
  if (!file) return undefined;
  const volume = renderTemplate(r.spec.volume ?? (r.vars.results_volume !== undefined ? '{{results_volume}}' : DEFAULT_RESULTS_VOLUME), r.vars);
  const head = `results cross-check ${r.commandId}: ${volume}/${file}`;
  const warn = (why: string): CrossCheckNotice => ({ level: 'warn', message: `${head} ${why}` });
  const output: string[] = [];
  try {
    const got = await r.commands.run({
      commandId: `${r.commandId}-results`,
      // The folder is made by the command, so a port that runs nothing (a replay) leaves no trace.
      command: `mkdir -p ${shellQuote(r.dir)} && modal volume get --force ${shellQuote(volume)} ${shellQuote(file)} ${shellQuote(r.dir + '/')}`,
      cwd: r.cwd,
      timeoutMs: 120_000,
      env: r.env,
      onLine: (line) => output.push(line),
      signal: r.signal,
    });
    if (got.exitCode !== 0) return warn(`could not be fetched (exit ${got.exitCode ?? got.signal}): ${output.slice(-3).join(' | ')}`);
  } catch (err) {
    return warn(`could not be fetched: ${messageOf(err)}`);
  }
  let json: ResultsJson;
  try {
    json = JSON.parse(readFileSync(join(r.dir, basename(file)), 'utf8')) as ResultsJson;
  } catch (err) {
    return warn(`is not readable JSON: ${messageOf(err)}`);
  }
  const diffs = compareResults(json, parseLiberoOutput(lines));
  if (diffs.length > 0) return warn(`disagrees with the log: ${diffs.join('; ')}`);
  return { level: 'info', message: `${head} agrees with the log (${json.total_episodes ?? '?'} episodes, ${json.total_successes ?? '?'} successes)` };
}
