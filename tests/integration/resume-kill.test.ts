import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMessagesStandin, type MessagesStandin } from '../../src/standin/messages-server.js';
import { type CliResult, gitRepoFrom, labpilot, ofType, parseEvents, ROOT, tempDir, until } from '../helpers/cli.js';
import type { Event, EventOf } from '../../src/events/schema.js';

/**
 * A run of the example playbook is killed with SIGKILL while labpilot runs the tests for the
 * second time (after a finished command and two finished agent turns), then `labpilot resume`
 * continues it from the run log to the verdict an uninterrupted run reaches. The repository's
 * tests take about two seconds, so the kill lands inside the command.
 */
const PLAYBOOK = join(ROOT, 'playbooks', 'fix-failing-test.yaml');
const SESSION = join(ROOT, 'playbooks', 'sessions', 'fix-failing-test.yaml');
const SLOW_TEST = 'import time\nimport unittest\n\n\nclass SlowTest(unittest.TestCase):\n    def test_takes_a_while(self):\n        time.sleep(2)\n';


/** The calc repository plus a test that sleeps, so the verify command is still running when killed. */
function slowCalcRepo(): string {
  const dir = tempDir('labpilot-slow-src-');
  cpSync(join(ROOT, 'templates', 'calc-repo'), dir, { recursive: true });
  writeFileSync(join(dir, 'test_slow.py'), SLOW_TEST);
  return gitRepoFrom(dir);
}

/** Live processes whose working directory is `dir`, with their process group (Linux /proc). */
function processesIn(dir: string): Array<{ pid: number; pgid: number }> {
  const found: Array<{ pid: number; pgid: number }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/cwd`) !== dir) continue;
      // Field 5 of stat is the pgid; the command name in field 2 may hold spaces, so split after it.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      found.push({ pid: Number(name), pgid: Number(fields[2]) });
    } catch {
      // Gone meanwhile, or not ours.
    }
  }
  return found;
}


const killGroups = (pgids: Iterable<number>) => {
  for (const pgid of pgids) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
};

describe('a run killed with SIGKILL during a command', () => {
  let standin: MessagesStandin;
  const home = tempDir();
  const env = { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000000000000000', ANTHROPIC_BASE_URL: '' };
  let killed: CliResult;
  let before: Event[];
  let orphans: Array<{ pid: number; pgid: number }>;
  let runId: string;
  let workspace: string;
  let listedKilled: CliResult;
  let resumed: CliResult;
  let log: Event[];

  beforeAll(async () => {
    standin = await startMessagesStandin({ session: SESSION });
    env.ANTHROPIC_BASE_URL = standin.url;
    const run = labpilot(['--home', home, 'run', PLAYBOOK, '--var', `repo=${slowCalcRepo()}`, '--json'], env);
    let stdout = '';
    run.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const started = await until('run_started', () => parseEvents(stdout.slice(0, stdout.lastIndexOf('\n') + 1)).find((e) => e.type === 'run_started'));
    if (started.type !== 'run_started') throw new Error('unreachable');
    ({ runId, workspace } = started);
    await until('the second verify command', () => (stdout.match(/"type":"command_started"/g)?.length === 2 ? true : undefined));
    // Kill only once the command's processes exist and labpilot has recorded them.
    orphans = await until('the command process', () => {
      const ps = processesIn(workspace);
      return ps.length > 0 ? ps : undefined;
    });
    await until('the pid record', () => (existsSync(join(home, 'runs', runId, 'commands', 'c2.pid')) ? true : undefined));
    process.kill(run.child.pid!, 'SIGKILL');
    killed = await run.done;
    before = parseEvents(readFileSync(join(home, 'runs', runId, 'events.jsonl'), 'utf8'));
    listedKilled = await labpilot(['--home', home, 'runs']).done;
    // The command's process group outlives labpilot (until it writes to its dead pipe); resume ends it.
    resumed = await labpilot(['--home', home, 'resume', runId, '--json'], env).done;
    if (resumed.code !== 0) console.error(resumed.stderr);
    log = parseEvents(readFileSync(join(home, 'runs', runId, 'events.jsonl'), 'utf8'));
  }, 120_000);
  afterAll(() => {
    killGroups(new Set((orphans ?? []).map((p) => p.pgid)));
    standin?.close();
  });

  it('died by the signal in the middle of the second verify command, with no verdict logged', () => {
    expect(killed.signal).toBe('SIGKILL');
    expect(before.some((e) => e.type === 'run_ended')).toBe(false);
    expect(before.at(-1)).toMatchObject({ type: expect.stringMatching(/^command_(started|output)$/) });
    expect(ofType(before, 'command_started').map((e) => e.step)).toEqual(['verify', 'verify']);
    expect(ofType(before, 'command_exited').map((e) => e.exitCode)).toEqual([1]);
    expect(ofType(before, 'agent_turn_ended')).toHaveLength(2);
  });

  it('is listed by `labpilot runs` as interrupted, with the command to resume it', () => {
    expect(listedKilled.code).toBe(0);
    const line = listedKilled.stdout.split('\n').find((l) => l.startsWith(runId));
    expect(line).toMatch(/\binterrupted\b/);
    expect(line).toContain(`labpilot resume ${runId}`);
  });

  it('resumes to the verdict an uninterrupted run reaches', () => {
    expect(resumed.code).toBe(0);
    expect(log.at(-1)).toMatchObject({ type: 'run_ended', verdict: 'passed' });
    // Judged on the same checklist, on the same fixed code, as the uninterrupted end-to-end run.
    const checklist = ofType(log, 'gate_judged').filter((g) => g.scope === 'checklist');
    expect(checklist.map((g) => [g.check, g.passed])).toEqual([
      ['The tests pass', true],
      ['test_calc.py is unchanged', true],
    ]);
    expect(readFileSync(join(workspace, 'calc.py'), 'utf8')).toContain('return a * b');
    // The resumed process printed only its own events, numbered after the killed ones.
    const printed = parseEvents(resumed.stdout);
    expect(printed[0]).toMatchObject({ type: 'run_resumed', runId, fromSeq: before.at(-1)!.seq });
    expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i));
  });

  it('redid the command that was in flight and nothing that had finished', () => {
    const after = log.slice(before.length);
    expect(after[0]).toMatchObject({ type: 'run_resumed' });
    const [finished, inFlight] = ofType(before, 'command_started').map((e) => e.commandId);
    const starts = (id: string | undefined) => ofType(log, 'command_started').filter((e) => e.commandId === id).length;
    expect(starts(finished)).toBe(1);
    expect(starts(inFlight)).toBe(2);
    expect(ofType(after, 'command_exited').map((e) => [e.commandId, e.exitCode])).toEqual([[inFlight, 0]]);
    // Both agent turns had ended before the kill: no prompt is sent again, no tool runs again.
    expect(ofType(after, 'prompt_sent')).toEqual([]);
    expect(ofType(after, 'tool_call')).toEqual([]);
    expect(standin.requests.length).toBe(ofType(log, 'tool_result').length + ofType(log, 'agent_turn_ended').length);
  });

  it('left no process of the killed run behind', () => {
    expect(processesIn(workspace)).toEqual([]);
  });
});

describe('a silent command left running by a killed run', () => {
  const home = tempDir();
  const dir = tempDir('labpilot-nap-');
  const playbook = join(dir, 'nap.yaml');
  writeFileSync(playbook, ['name: nap', 'steps:', '  - id: nap', '    kind: run', '    command: "sleep ${NAP:-0}"', '    done_when: [{ check: exit_code, equals: 0 }]', ''].join('\n'));
  const env = { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000000000000000' };
  let orphans: Array<{ pid: number; pgid: number }> = [];
  afterAll(() => killGroups(new Set(orphans.map((p) => p.pgid))));

  it('outlives labpilot, and `labpilot resume` stops it before running the step again', async () => {
    // In the OS sandbox a command dies with labpilot (bubblewrap's --die-with-parent): only a run
    // without it can leave one behind.
    const run = labpilot(['--home', home, 'run', playbook, '--json', '--no-sandbox'], { ...env, NAP: '120' });
    let stdout = '';
    run.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    await until('command_started', () => (stdout.includes('"command_started"') ? true : undefined));
    const { runId, workspace } = parseEvents(stdout.slice(0, stdout.indexOf('\n') + 1))[0] as EventOf<'run_started'>;
    orphans = await until('the sleep', () => {
      const ps = processesIn(workspace);
      return ps.length > 0 ? ps : undefined;
    });
    // labpilot records the command's process group just after spawning it; kill after that.
    await until('the pid record', () => (existsSync(join(home, 'runs', runId, 'commands', 'c1.pid')) ? true : undefined));
    process.kill(run.child.pid!, 'SIGKILL');
    await run.done;
    // Nothing reads its output and nothing will end it: it is still there (and the resume below
    // says it stopped it, so it was alive until then).
    expect(processesIn(workspace).map((p) => p.pid)).toEqual(orphans.map((p) => p.pid));

    const resumed = await labpilot(['--home', home, 'resume', runId, '--json'], { ...env, NAP: '0' }).done;
    expect(resumed.code).toBe(0);
    const events = parseEvents(resumed.stdout);
    const notices = ofType(events, 'notice').map((e) => e.message);
    expect(notices).toContainEqual(expect.stringMatching(new RegExp(`^stopped command c1 \\(pid ${orphans[0]!.pgid}\\)`)));
    // Stopped before the step ran again, not after.
    const stoppedAt = events.findIndex((e) => e.type === 'notice' && e.message.startsWith('stopped command'));
    expect(stoppedAt).toBeLessThan(events.findIndex((e) => e.type === 'command_started'));
    expect(processesIn(workspace)).toEqual([]);
    expect(events.at(-1)).toMatchObject({ type: 'run_ended', verdict: 'passed' });
  });
});
