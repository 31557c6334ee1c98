import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ROOT, gitRepoFrom, labpilot, parseEvents, tempDir } from '../helpers/cli.js';
import type { Event, EventOf } from '../../src/events/schema.js';

/**
 * The results JSON a stage writes to its Modal volume, fetched with `modal volume get` (the
 * stand-in here) and read against the log, through the real binary: a faithful file agrees; a
 * file edited on the volume after the script wrote it is reported with each disagreement.
 */
const SCRIPT = 'RVQExperiment/phase3/modal_phase3_libero_eval.py';
const dir = tempDir('labpilot-xcheck-');

/** Changes two successes of the newest results file on the stand-in's volume, as a bad writer would. */
const TAMPER = join(dir, 'tamper.py');
writeFileSync(
  TAMPER,
  `import glob, json, os
folder = os.path.join(os.environ["MODAL_STANDIN_HOME"], "volumes", "rsd-results")
path = max(glob.glob(os.path.join(folder, "*.json")), key=os.path.getmtime)
data = json.load(open(path))
data["total_successes"] += 1
data["per_task"][0]["successes"] += 1
json.dump(data, open(path, "w"))
`,
);

function playbook(name: string, command: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}
# The tamperer plays a writer on Modal's side: the sandboxed stage is let into the stand-in's volumes.
sandbox: { stage: { env: ["MODAL_*"], write: ["$MODAL_STANDIN_HOME"] } }
variables:
  results_volume: { default: rsd-results }
steps:
  - id: smoke
    kind: run
    command: ${command}
    max_attempts: 1
    results: { volume: "{{results_volume}}" }
    done_when:
      - { check: exit_code, equals: 0 }
`,
  );
  return file;
}

interface Run {
  events: Event[];
  runDir: string;
  runId: string;
  home: string;
}

async function run(name: string, command: string): Promise<Run> {
  const home = tempDir();
  const repo = gitRepoFrom(join(ROOT, 'templates', 'sample-experiment'));
  execFileSync('python3', [join(ROOT, 'python', 'tools', 'sample_solution.py'), 'apply', join(repo, SCRIPT)]);
  const r = await labpilot(['--home', home, 'run', playbook(name, command), '--workdir', repo, '--json'], {
    ANTHROPIC_API_KEY: 'sk-ant-test-key-000000000000000000',
    PATH: [join(ROOT, 'python', 'bin'), process.env.PATH].join(delimiter),
    MODAL_STANDIN_HOME: join(home, 'modal'),
  }).done;
  const events = parseEvents(r.stdout.split('\n').filter((l) => l.startsWith('{')).join('\n'));
  const runId = events.find((e): e is EventOf<'run_started'> => e.type === 'run_started')!.runId;
  return { events, runDir: join(home, 'runs', runId), runId, home };
}

const crossChecks = (r: Run) => r.events.filter((e): e is EventOf<'notice'> => e.type === 'notice' && e.message.startsWith('results cross-check'));

describe('results JSON cross-checked against the log', () => {
  const stage = `modal run ${SCRIPT} --num-trials 1 --no-use-speculative-decoding`;
  let faithful: Run;
  let tampered: Run;

  beforeAll(async () => {
    [faithful, tampered] = await Promise.all([run('faithful', stage), run('tampered', `${stage} && python3 ${TAMPER}`)]);
  }, 120_000);

  it('fetches the file the output named into the run folder and records one info notice that they agree', () => {
    const [notice, ...more] = crossChecks(faithful);
    expect(more).toEqual([]);
    expect(notice!.level).toBe('info');
    expect(notice!.message).toMatch(/^results cross-check \S+: rsd-results\/phase3_libero_spatial_baseline_1trials_\d+_\d+\.json agrees with the log \(10 episodes, \d+ successes\)$/);
    const fetched = readdirSync(join(faithful.runDir, 'results'));
    expect(fetched).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(faithful.runDir, 'results', fetched[0]!), 'utf8')).total_episodes).toBe(10);
  });

  it('warns with each disagreement when the JSON on the volume was edited after the log was printed', () => {
    const [notice, ...more] = crossChecks(tampered);
    expect(more).toEqual([]);
    expect(notice!.level).toBe('warn');
    const log = readFileSync(join(tampered.runDir, 'commands', `${tampered.events.find((e): e is EventOf<'command_started'> => e.type === 'command_started')!.commandId}.log`), 'utf8');
    const logged = Number(/^Total successes: (\d+)/m.exec(log)![1]);
    const task1 = /^Task 1 success: (\d+)\/1/m.exec(log)![1];
    expect(notice!.message).toContain('disagrees with the log: ');
    expect(notice!.message).toContain(`successes: ${logged + 1} in the JSON, ${logged} in the log`);
    expect(notice!.message).toContain(`task 1: ${Number(task1) + 1}/1 in the JSON, ${task1}/1 in the log`);
    expect(notice!.message).not.toMatch(/\bagrees/);
  });

  it('puts the outcome in the report built from the log', async () => {
    const r = await labpilot(['--home', tampered.home, 'report', tampered.runId]).done;
    expect(r.code).toBe(0);
    const md = readFileSync(join(tampered.runDir, 'report.md'), 'utf8');
    expect(md).toContain('## Results files');
    expect(md).toMatch(/\*\*DISAGREES\*\*: `smoke` rsd-results\/\S+ disagrees with the log: .*successes: /);
    expect(existsSync(join(faithful.runDir, 'report.md'))).toBe(false);
  });
});
