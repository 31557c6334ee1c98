import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labpilot, of, parseEvents, tempDir, until } from '../helpers/cli.js';

/**
 * A fanned-out step is killed with SIGKILL after one of its parallel commands finished and
 * while the other still runs: `labpilot resume` starts only the one that was still running,
 * under the same id, and judges both.
 */
const PLAYBOOK = `name: two-at-once
variables:
  name: { default: one }
  names: { default: "fast,slow" }
steps:
  - id: both
    kind: run
    for_each: { var: name, in: "{{names}}" }
    command: python3 -c "import sys, time; time.sleep(4 if sys.argv[1] == 'slow' else 0); print('finished', sys.argv[1])" {{name}}
    metrics: [{ name: finished, regex: "^finished ", agg: count }]
    done_when:
      - { check: exit_code, equals: 0 }
      - { check: metric, expr: "finished == 1", name: "{{name}} finished" }
`;



describe('a fanned-out step killed half-way', () => {
  it('resumes only the command that was still running', async () => {
    const home = tempDir();
    const dir = tempDir('labpilot-fan-');
    const playbook = join(dir, 'two-at-once.yaml');
    writeFileSync(playbook, PLAYBOOK);
    // Commands and checks alone: no model is called, so no key is needed.
    const env = { ANTHROPIC_API_KEY: '', ANTHROPIC_BASE_URL: '' };
    const run = labpilot(['--home', home, 'run', playbook, '--workdir', dir, '--json'], env);
    let stdout = '';
    run.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const events = () => parseEvents(stdout.slice(0, stdout.lastIndexOf('\n') + 1));
    const started = (await until('run_started', () => events().find(of('run_started'))))!;
    await until('the fast command to end', () => (events().some((e) => e.type === 'command_exited' && e.item === 'fast') ? true : undefined));
    await until('the slow command’s pid record', () => (existsSync(join(home, 'runs', started.runId, 'commands', 'c2.pid')) ? true : undefined));
    process.kill(run.child.pid!, 'SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    const before = parseEvents(readFileSync(join(home, 'runs', started.runId, 'events.jsonl'), 'utf8'));
    expect(before.filter(of('command_exited')).map((e) => e.item)).toEqual(['fast']);

    const resumed = await labpilot(['--home', home, 'resume', started.runId, '--json'], env).done;
    if (resumed.code !== 0) console.error(resumed.stderr);
    expect(resumed.code).toBe(0);
    const after = parseEvents(resumed.stdout);
    expect(after.filter(of('command_started')).map((e) => [e.commandId, e.item])).toEqual([['c2', 'slow']]);
    expect(after.filter(of('gate_judged')).map((g) => [g.check, g.passed])).toEqual([
      ['exit code is 0 [fast]', true],
      ['fast finished [fast]', true],
      ['exit code is 0 [slow]', true],
      ['slow finished [slow]', true],
    ]);
    expect(after.at(-1)).toMatchObject({ type: 'run_ended', verdict: 'passed' });
  }, 90_000);
});
