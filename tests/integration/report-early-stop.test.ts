import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { labpilot, tempDir, type CliResult } from '../helpers/cli.js';
import { Event, type EventOf } from '../../src/events/schema.js';
import { relinked } from '../../src/results/save.js';

/**
 * Early stopping through the real binary: a stage that prints OpenVLA-OFT LIBERO lines for 500
 * episodes, slowly, is stopped as soon as its success gate cannot be met, its process group is
 * ended, the evidence is in the run log, and the report shows it.
 */
const dir = tempDir('labpilot-early-');
const EVAL = join(dir, 'fake_eval.py');
writeFileSync(
  EVAL,
  `import random, sys, time
rate, crash = float(sys.argv[1]), sys.argv[2] == "crash"
rng = random.Random(7)
done = ok = 0
for task in range(10):
    print(f"Task: task {task + 1}", flush=True)
    for ep in range(50):
        print(f"Starting episode {ep + 1}...", flush=True)
        if crash:
            print("Episode error: 'NoneType' object is not subscriptable", flush=True)
        success = not crash and rng.random() < rate
        done += 1
        ok += success
        print(f"Success: {success}", flush=True)
        print(f"# episodes completed so far: {done}", flush=True)
        print(f"# successes: {ok} ({ok / done * 100:.1f}%)", flush=True)
        time.sleep(0.05)
print(f"Overall success rate: {ok / done:.4f}")
`,
);

function playbook(name: string, args: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}
variables:
  min_success: { default: 0.8 }
steps:
  - id: full
    kind: run
    command: python3 ${EVAL} ${args}
    max_attempts: 1
    metrics:
      - { name: episodes, regex: "^# episodes completed so far: (\\\\d+)" }
      - { name: successes_so_far, regex: "^# successes: (\\\\d+)" }
      - { name: episode_errors, regex: "^Episode error: ", agg: count }
    early_stop: { successes: successes_so_far, episodes: episodes, errors: episode_errors, target: "{{min_success}}", total: "50 * 10", task_episodes: 50, alpha: 0.01 }
    done_when:
      - { check: exit_code, equals: 0 }
`,
  );
  return file;
}

interface Stopped {
  result: CliResult;
  events: Event[];
  runDir: string;
}

async function runStage(name: string, args: string, home: string): Promise<Stopped> {
  const result = await labpilot(['--home', home, 'run', playbook(name, args), '--json'], { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000000000000000' }).done;
  const events = result.stdout
    .trim()
    .split('\n')
    .map((l) => Event.parse(JSON.parse(l)));
  const started = events.find((e): e is EventOf<'run_started'> => e.type === 'run_started')!;
  return { result, events, runDir: join(home, 'runs', started.runId) };
}

const exited = (s: Stopped) => s.events.find((e): e is EventOf<'command_exited'> => e.type === 'command_exited')!;
const notices = (s: Stopped) => s.events.filter((e): e is EventOf<'notice'> => e.type === 'notice').map((n) => n.message);

describe('early stopping of a stage whose success gate cannot be met', () => {
  const home = tempDir();
  let doomed: Stopped;
  let crashing: Stopped;

  beforeAll(async () => {
    [doomed, crashing] = await Promise.all([runStage('doomed', '0.5 ok', home), runStage('crashing', '0.9 crash', home)]);
  }, 120_000);

  it('stops a stage at 50% success against a 0.8 gate within tens of episodes, ending its process', () => {
    const x = exited(doomed);
    expect(x.signal).toBe('SIGTERM');
    expect(x.metrics.episodes).toBeGreaterThan(5);
    expect(x.metrics.episodes).toBeLessThan(100);
    const evidence = notices(doomed).find((m) => m.startsWith(`stopping ${x.commandId} early: `));
    expect(evidence).toMatch(/^stopping c1 early: \d+\/(30|60) successes \([0-9.]+%\): with tasks of 50 episodes whose success rates spread up to \+-0\.15 around 85\.0%, P\(at most \d+\) = [0-9.e+-]+ <= [0-9.e+-]+, this look's share of alpha 0\.01/);
    // The figures in the evidence are the ones the command printed last.
    expect(evidence).toContain(`${x.metrics.successes_so_far}/${x.metrics.episodes} successes`);
    // The whole process group is gone: no episode was printed after the stop.
    const log = readFileSync(join(doomed.runDir, 'commands', 'c1.log'), 'utf8');
    expect(log.match(/^Success: /gm)!.length).toBeLessThanOrEqual(x.metrics.episodes! + 1);
    expect(existsSync(join(doomed.runDir, 'commands', 'c1.pid'))).toBe(false);
    expect(doomed.result.code).not.toBe(0);
  });

  it('stops a stage whose every episode ended in Episode error after five of them', () => {
    const x = exited(crashing);
    expect(x.signal).toBe('SIGTERM');
    expect(x.metrics.episodes).toBe(5);
    expect(notices(crashing)).toContain("stopping c1 early: all 5 episodes so far ended in 'Episode error:'; the stage measures a crash, not the policy");
  });

  it('the report of the stopped run shows the early stop and its evidence', async () => {
    const runId = doomed.runDir.split('/').at(-1)!;
    const r = await labpilot(['--home', home, 'report', runId]).done;
    expect(r.code).toBe(0);
    const md = readFileSync(join(doomed.runDir, 'report.md'), 'utf8');
    const evidence = notices(doomed)[0]!.replace(/^stopping c1 early: /, '');
    expect(md).toContain(`## Early stops\n\n- \`full\` (c1): ${evidence}\n`);
    expect(md).toMatch(/^\| `full` \| killed \(SIGTERM\) \| 1 \| \d+ \|/m);
    expect(r.stdout).toContain(`early stop of full: ${evidence}`);
  });

  it('saves the results into a repository without a remote: committed on the run branch, not pushed', async () => {
    const runId = crashing.runDir.split('/').at(-1)!;
    const r = await labpilot(['--home', home, 'report', runId, '--save', 'results']).done;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^results: results/labpilot-report\\.md, results/labpilot-report\\.html; committed [0-9a-f]{8} on labpilot/${runId}; not pushed: no remote$`, 'm'));
    const workspace = join(crashing.runDir, 'workspace');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: workspace }).toString();
    expect(git('rev-parse', '--abbrev-ref', 'HEAD')).toBe(`labpilot/${runId}\n`);
    expect(git('show', 'HEAD:results/labpilot-report.md')).toBe(relinked(readFileSync(join(crashing.runDir, 'report.md'), 'utf8'), relative(join(workspace, 'results'), crashing.runDir)));
    expect(git('status', '--porcelain')).toBe('');
  });

  it('refuses a results folder outside the run workspace', async () => {
    const runId = crashing.runDir.split('/').at(-1)!;
    const r = await labpilot(['--home', home, 'report', runId, '--save', '../../escape']).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("labpilot: results folder ../../escape is outside the run's workspace\n");
    expect(existsSync(join(home, 'runs', 'escape'))).toBe(false);
  });

  it('writes nothing through a link the agent left where a report file goes, and says so in one line', async () => {
    const runId = crashing.runDir.split('/').at(-1)!;
    const outside = join(tempDir(), 'victim.md');
    writeFileSync(outside, 'untouched\n');
    const dir = join(crashing.runDir, 'workspace', 'linked');
    mkdirSync(dir, { recursive: true });
    symlinkSync(outside, join(dir, 'labpilot-report.md'));
    const r = await labpilot(['--home', home, 'report', runId, '--save', 'linked']).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^labpilot: results folder linked: linked\/labpilot-report\.md goes through a symbolic link[^\n]*; nothing written there\n$/);
    expect(readFileSync(outside, 'utf8')).toBe('untouched\n');
  });
});
