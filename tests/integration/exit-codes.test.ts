import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, labpilot, tempDir } from '../helpers/cli.js';

/**
 * Bad input ends in one located line and exit 2 through the real binary: a run log that is not
 * a file, a run log with a corrupt line, a bad command line. Never a stack trace, never a code
 * outside 0-4.
 */
const STARTED = {
  type: 'run_started',
  runId: 'r',
  playbook: 'p',
  playbookPath: join(ROOT, 'tests', 'fixtures', 'playbooks', 'good.yaml'),
  playbookHash: 'h',
  vars: { repo: 'r' },
  mode: 'autopilot',
  workspace: '/tmp',
  branch: 'b',
  agent: 'anthropic',
  model: 'm',
};
const line = (seq: number, e: object) => JSON.stringify({ seq, ts: '2026-01-01T00:00:00.000Z', ...e });

function home(): string {
  const h = tempDir('labpilot-exit-');
  // A run whose log is a folder (a copy gone wrong): not readable as a log at all.
  mkdirSync(join(h, 'runs', 'folder', 'events.jsonl'), { recursive: true });
  // A run whose second line is not JSON, with a whole line after it (not a torn tail).
  mkdirSync(join(h, 'runs', 'corrupt'));
  writeFileSync(join(h, 'runs', 'corrupt', 'events.jsonl'), [line(0, STARTED), '{"seq":1,"ts":', line(2, { type: 'notice', level: 'info', message: 'm' }), ''].join('\n'));
  return h;
}

const noStack = (stderr: string) => expect(stderr).not.toMatch(/^\s+at /m);

describe('exit codes of bad input through the binary', () => {
  const h = home();

  it.each(['report', 'resume', 'replay'])('%s of a run whose log is a folder: exit 2, one line naming the log', async (command) => {
    const r = await labpilot(['--home', h, command, 'folder']).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`labpilot: ${join(h, 'runs', 'folder', 'events.jsonl')}: cannot read the run log (not a file)\n`);
  });

  it('report of a log with a corrupt line: exit 2 at file:line', async () => {
    const r = await labpilot(['--home', h, 'report', 'corrupt']).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^labpilot: ${join(h, 'runs', 'corrupt', 'events.jsonl')}:2: not JSON: `));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('runs lists both damaged logs with where they are damaged, and exits 0', async () => {
    const r = await labpilot(['--home', h, 'runs', '--json']).done;
    expect(r.code).toBe(0);
    noStack(r.stderr);
    const runs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; status: string; reason?: string });
    expect(runs.map((x) => [x.id, x.status])).toEqual([
      ['corrupt', 'damaged'],
      ['folder', 'damaged'],
    ]);
    expect(runs[1]!.reason).toMatch(/cannot read the run log \(EISDIR\)/);
  });

  it('a bad command line is exit 2 and --help exit 0', async () => {
    const bad = await labpilot(['report']).done;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/missing required argument/);
    expect((await labpilot(['--help']).done).code).toBe(0);
  });
});

describe('a reader that goes away', () => {
  it('leaves replay its own exit code and no stack trace', async () => {
    const transcript = join(ROOT, 'tests', 'fixtures', 'transcripts', 'codex-rollout.jsonl');
    const read = await labpilot(['replay', transcript, '--json']).done;
    const run = labpilot(['replay', transcript, '--json']);
    // Closed before the child writes anything: every write of it meets a closed pipe.
    run.child.stdout!.destroy();
    const gone = await run.done;
    expect(read.code).toBe(0);
    expect(gone.code).toBe(read.code);
    noStack(gone.stderr);
  });
});
