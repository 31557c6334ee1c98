import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labpilot, tempDir, type CliResult } from '../helpers/cli.js';
import type { RunSummary } from '../../src/runs/store.js';

/**
 * `labpilot runs` through the real binary, over runs that really passed, really failed, are
 * running, and were killed. Playbooks of one `run` step keep the agent out of it.
 */
const dir = tempDir('labpilot-runs-pb-');
const playbook = (name: string, command: string): string => {
  const file = join(dir, `${name}.yaml`);
  // NAP sets how long the sleeping step takes: the sandboxed stage gets only what it is given.
  const lines = [`name: ${name}`, 'sandbox: { stage: { env: [NAP] } }', 'steps:', '  - id: only', '    kind: run', `    command: ${JSON.stringify(command)}`, '    max_attempts: 1', '    done_when: [{ check: exit_code, equals: 0 }]', ''];
  writeFileSync(file, lines.join('\n'));
  return file;
};
const env = { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000000000000000' };

const runIdOf = (r: CliResult): string => /^run (\S+):/m.exec(r.stdout)![1]!;

describe('labpilot runs', () => {
  const home = tempDir();
  const listed: Record<'live' | 'after', { plain: CliResult; json: CliResult }> = {} as never;
  let passed: string;
  let failed: string;
  let killed: string;
  let pidRecord = '';
  const list = async () => ({
    plain: await labpilot(['--home', home, 'runs']).done,
    json: await labpilot(['--home', home, 'runs', '--json']).done,
  });

  beforeAll(async () => {
    const [ok, bad] = await Promise.all([
      labpilot(['--home', home, 'run', playbook('passes', 'true')], env).done,
      labpilot(['--home', home, 'run', playbook('fails', 'echo broken; exit 3')], env).done,
    ]);
    expect([ok.code, bad.code]).toEqual([0, 1]);
    passed = runIdOf(ok);
    failed = runIdOf(bad);

    const slow = labpilot(['--home', home, 'run', playbook('sleeps', 'sleep ${NAP:-0}')], { ...env, NAP: '120' });
    let out = '';
    slow.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    killed = await vi.waitFor(() => runIdOf({ stdout: out } as CliResult), { timeout: 20_000, interval: 20 });
    pidRecord = join(home, 'runs', killed, 'commands', 'c1.pid');
    await vi.waitFor(() => expect(existsSync(pidRecord)).toBe(true), { timeout: 20_000, interval: 20 });
    listed.live = await list();
    slow.child.kill('SIGKILL');
    await slow.done;
    listed.after = await list();
  }, 60_000);

  afterAll(async () => {
    // The killed run's sleep is still running in its own process group; resuming it ends it.
    if (killed) await labpilot(['--home', home, 'resume', killed], { ...env, NAP: '0' }).done;
    try {
      if (existsSync(pidRecord)) process.kill(-JSON.parse(readFileSync(pidRecord, 'utf8')).pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  });

  it('says so when there are no runs', async () => {
    const empty = tempDir();
    const plain = await labpilot(['--home', empty, 'runs']).done;
    expect([plain.code, plain.stdout, plain.stderr]).toEqual([0, 'no runs yet\n', '']);
    const json = await labpilot(['--home', empty, 'runs', '--json']).done;
    expect([json.code, json.stdout]).toEqual([0, '']);
  });

  it('prints one JSON summary per run with its status and why', () => {
    const { json } = listed.after;
    expect(json.code).toBe(0);
    const byId = new Map((json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l)) as RunSummary[]).map((s) => [s.id, s]));
    expect(byId.size).toBe(3);
    expect(byId.get(passed)).toMatchObject({ playbook: 'passes', status: 'passed', reason: 'every step passed', steps: 1 });
    expect(byId.get(failed)).toMatchObject({ playbook: 'fails', status: 'failed', steps: 0 });
    expect(byId.get(failed)!.reason).toContain('exit code 3');
    expect(byId.get(killed)).toMatchObject({ playbook: 'sleeps', status: 'interrupted', reason: `resume with: labpilot resume ${killed}`, steps: 0 });
    for (const s of byId.values()) expect(Number.isNaN(Date.parse(s.started))).toBe(false);
    for (const s of byId.values()) expect(s).toMatchObject({ step: 'only', dollars: 0, durationMs: expect.any(Number) });
  });

  it('tells a run whose process is alive from one that was killed', () => {
    const live = (listed.live.json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l)) as RunSummary[]).find((s) => s.id === killed);
    expect(live).toMatchObject({ status: 'running', reason: '' });
  });

  it('prints one plain line per run: id, playbook, status, start, duration, current step, cost, steps passed, reason', () => {
    const { plain } = listed.after;
    expect(plain.code).toBe(0);
    const lines = plain.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const line = (id: string) => lines.find((l) => l.startsWith(`${id} `))!.split(/\s{2,}/);
    const start = expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
    const took = expect.stringMatching(/^\d+s$/);
    expect(line(passed)).toEqual([passed, 'passes', 'passed', start, took, 'step only', '$0.00', '1 step(s) passed', 'every step passed']);
    expect(line(failed).slice(0, 8)).toEqual([failed, 'fails', 'failed', start, took, 'step only', '$0.00', '0 step(s) passed']);
    expect(line(killed)).toEqual([killed, 'sleeps', 'interrupted', start, took, 'step only', '$0.00', '0 step(s) passed', `resume with: labpilot resume ${killed}`]);
  });
});
