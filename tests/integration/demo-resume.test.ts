import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { labpilot, ofType, parseEvents, tempDir, until } from '../helpers/cli.js';

/**
 * A demo stopped half-way is resumed with its stand-ins brought back (the Messages API stand-in,
 * `modal` on PATH with the same volumes): the agent's work is kept, the run says where it picks
 * up in words, and it ends as a fresh demo does.
 */
describe('labpilot demo --resume', () => {
  it('resumes a demo stopped during the smoke stage and passes', async () => {
    const home = tempDir();
    const first = labpilot(['--home', home, 'demo', '--json'], { ANTHROPIC_API_KEY: '' });
    let stdout = '';
    first.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const events = () => parseEvents(stdout.slice(0, stdout.lastIndexOf('\n') + 1));
    const started = await until('run_started', () => ofType(events(), 'run_started')[0], 60_000);
    await until('the smoke stage', () => (ofType(events(), 'command_started').some((e) => e.step === 'smoke') ? true : undefined), 120_000);
    first.child.kill('SIGTERM');
    const stopped = await first.done;
    expect(stopped.code).toBe(4);
    const turnsBefore = ofType(events(), 'agent_turn_ended').length;

    const resumed = await labpilot(['--home', home, 'demo', '--resume', started.runId], { ANTHROPIC_API_KEY: '' }).done;
    if (resumed.code !== 0) console.error(resumed.stdout.slice(-3000), resumed.stderr);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/^ {2}info: resuming at step smoke \(attempt \d+\): .*; 5 step\(s\) passed, \d+ turns and \$\d+\.\d\d spent so far$/m);
    expect(resumed.stdout).toContain('run ended: passed');
    const log = parseEvents(readFileSync(join(home, 'runs', started.runId, 'events.jsonl'), 'utf8'));
    // The four tasks were not asked again: the agent's work was kept.
    const after = log.slice(log.findIndex((e) => e.type === 'run_resumed'));
    expect(ofType(after, 'step_entered').map((e) => e.step)).not.toContain('task1');
    expect(ofType(log, 'agent_turn_ended').length).toBeGreaterThanOrEqual(turnsBefore);
  }, 300_000);

  it('refuses a run that is not a demo, with exit 2', async () => {
    const r = await labpilot(['--home', tempDir(), 'demo', '--resume', 'no-such-run']).done;
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
