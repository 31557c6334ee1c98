import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandRequest, CommandRunner } from '../ports.js';
import { parseLiberoOutput } from './libero-log.js';
import { compareResults, crossCheckResults } from './cross-check.js';

const LOG = [
  'Task: pick up the bowl',
  'Success: True',
  'Success: False',
  'Total episodes: 2',
  'Total successes: 1',
  'Overall success rate: 0.5000 (50.0%)',
  'Average inference time: 41.3 ms/step (draft 3.0 ms, main 38.3 ms)',
  'Task 1 success: 1/2 (50.0%)',
  'Results saved to /results/phase3_x.json',
];
const JSON_OK = { total_episodes: 2, total_successes: 1, success_rate: 0.5, per_task: [{ task_id: 0, episodes: 2, successes: 1 }], inference: { mean_ms: 41.27 } };

describe('compareResults', () => {
  it('finds no disagreement when the JSON says what the log printed, within the printed precision', () => {
    expect(compareResults(JSON_OK, parseLiberoOutput(LOG))).toEqual([]);
  });

  it('lists every figure that differs, per task included', () => {
    const json = { ...JSON_OK, total_successes: 2, success_rate: 1, per_task: [{ task_id: 0, episodes: 2, successes: 2 }, { task_id: 1, episodes: 1, successes: 0 }], inference: { mean_ms: 20 } };
    expect(compareResults(json, parseLiberoOutput(LOG))).toEqual([
      'successes: 2 in the JSON, 1 in the log',
      'success rate: 1 in the JSON, 0.5 in the log',
      'task 1: 2/2 in the JSON, 1/2 in the log',
      'task 2: 0/1 in the JSON, not in the log',
      'mean inference ms: 20 in the JSON, 41.3 in the log',
    ]);
  });
});

describe('crossCheckResults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'labpilot-xcheck-'));
  const logFile = join(dir, 'c1.log');
  writeFileSync(logFile, LOG.join('\n') + '\n');
  /** A port that plays `modal volume get`: writes `content` where the command asked for it. */
  const port = (content: string | undefined, seen: CommandRequest[]): CommandRunner => ({
    async run(req) {
      seen.push(req);
      if (content === undefined) return { exitCode: 1, signal: null, durationMs: 1, timedOut: false };
      mkdirSync(join(dir, 'results'), { recursive: true });
      writeFileSync(join(dir, 'results', 'phase3_x.json'), content);
      return { exitCode: 0, signal: null, durationMs: 1, timedOut: false };
    },
  });
  const request = (commands: CommandRunner, vars: Record<string, string> = {}) => ({ commandId: 'c1', spec: {}, vars, logFile, dir: join(dir, 'results'), cwd: dir, commands });

  it('fetches the named file from the results_volume variable through the port and reports agreement', async () => {
    const seen: CommandRequest[] = [];
    const n = await crossCheckResults(request(port(JSON.stringify(JSON_OK), seen), { results_volume: 'my-results' }));
    expect(seen[0]!.command).toContain("modal volume get --force 'my-results' 'phase3_x.json'");
    expect(n).toEqual({ level: 'info', message: 'results cross-check c1: my-results/phase3_x.json agrees with the log (2 episodes, 1 successes)' });
  });

  it('warns with the disagreement when the JSON differs, and when the file cannot be fetched', async () => {
    const tampered = await crossCheckResults(request(port(JSON.stringify({ ...JSON_OK, total_episodes: 3 }), [])));
    expect(tampered).toEqual({ level: 'warn', message: 'results cross-check c1: rsd-results/phase3_x.json disagrees with the log: episodes: 3 in the JSON, 2 in the log' });
    const missing = await crossCheckResults(request(port(undefined, [])));
    expect(missing?.level).toBe('warn');
    expect(missing?.message).toContain('could not be fetched (exit 1)');
  });

  it('does nothing when the output names no results file', async () => {
    const quiet = join(dir, 'c2.log');
    writeFileSync(quiet, 'Total episodes: 2\n');
    const seen: CommandRequest[] = [];
    expect(await crossCheckResults({ ...request(port('{}', seen)), logFile: quiet })).toBeUndefined();
    expect(seen).toEqual([]);
  });
});
