import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMessagesStandin, type MessagesStandin } from '../../src/standin/messages-server.js';
import { gitRepoFrom, labpilot, ofType, parseEvents, ROOT, tempDir } from '../helpers/cli.js';

/**
 * `resume <id> --from-step STEP` on a run that already ended: a new run continues from the step
 * in the old run's workspace, so the agent's fix is kept and no turn is paid for again.
 */
const PLAYBOOK = join(ROOT, 'playbooks', 'fix-failing-test.yaml');
const SESSION = join(ROOT, 'playbooks', 'sessions', 'fix-failing-test.yaml');

describe('resume --from-step', () => {
  let standin: MessagesStandin;
  const home = tempDir();
  const env = () => ({ ANTHROPIC_API_KEY: 'sk-ant-test-key-000000000000000000', ANTHROPIC_BASE_URL: standin.url });
  let runId: string;

  beforeAll(async () => {
    standin = await startMessagesStandin({ session: SESSION });
    const repo = gitRepoFrom(join(ROOT, 'templates', 'calc-repo'));
    const r = await labpilot(['--home', home, 'run', PLAYBOOK, '--var', `repo=${repo}`, '--json'], env()).done;
    expect(r.code).toBe(0);
    runId = ofType(parseEvents(r.stdout), 'run_started')[0]!.runId;
  });
  afterAll(() => standin.close());

  it('plain resume of the ended run redoes only its post-run work, says it ended and points at --from-step', async () => {
    const calls = standin.requests.length;
    const r = await labpilot(['--home', home, 'resume', runId], env()).done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/had ended \(passed: .*\(to rerun a step of it: --from-step STEP\)/);
    expect(standin.requests.length).toBe(calls);
  });

  it('reruns the verify step as a new run in the same workspace: passes without a model call', async () => {
    const calls = standin.requests.length;
    const r = await labpilot(['--home', home, 'resume', runId, '--from-step', 'verify'], env()).done;
    if (r.code !== 0) console.error(r.stdout, r.stderr);
    expect(r.code).toBe(0);
    expect(standin.requests.length).toBe(calls);
    const newId = /^run (\S+): resumed/m.exec(r.stdout)![1]!;
    expect(newId).not.toBe(runId);
    expect(r.stdout).toMatch(/^ {2}info: rerun of run \S+ from step verify, in its workspace with the agent's work kept$/m);
    expect(r.stdout).toMatch(/^ {2}info: resuming at step verify \(attempt 1\): nothing was in flight; 1 step\(s\) passed, \d+ turns and \$\d+\.\d\d spent so far$/m);
    const log = parseEvents(readFileSync(join(home, 'runs', newId, 'events.jsonl'), 'utf8'));
    const old = parseEvents(readFileSync(join(home, 'runs', runId, 'events.jsonl'), 'utf8'));
    expect(ofType(log, 'run_started')[0]!.workspace).toBe(ofType(old, 'run_started')[0]!.workspace);
    const after = log.slice(log.findIndex((e) => e.type === 'run_resumed'));
    expect(ofType(after, 'command_started').map((e) => e.step)).toEqual(['verify']);
    expect(ofType(after, 'prompt_sent')).toEqual([]);
    expect(after.at(-1)).toMatchObject({ type: 'run_ended', verdict: 'passed' });
    // The old run's log is as it was.
    expect(old.at(-1)).toMatchObject({ type: 'run_ended', verdict: 'passed' });
  });

  it('a step the run never entered is exit 2 naming the steps it did', async () => {
    const r = await labpilot(['--home', home, 'resume', runId, '--from-step', 'nope'], env()).done;
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/never entered step 'nope' \(it entered: fix, verify\)$/);
  });
});
