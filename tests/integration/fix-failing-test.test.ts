import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startMessagesStandin, type MessagesStandin } from '../../src/standin/messages-server.js';
import { gitRepoFrom, labpilot, ofType, parseEvents, ROOT, tempDir } from '../helpers/cli.js';
import type { Event } from '../../src/events/schema.js';

/**
 * The example playbook end to end: the real binary, the real Anthropic SDK talking HTTP to the
 * Messages API stand-in, tools running in a real cloned workspace, python's unittest as the
 * command, real git commits.
 */
const PLAYBOOK = join(ROOT, 'playbooks', 'fix-failing-test.yaml');
const SESSION = join(ROOT, 'playbooks', 'sessions', 'fix-failing-test.yaml');


describe('fix-failing-test playbook, end to end', () => {
  let standin: MessagesStandin;
  let events: Event[];
  let code: number | null;
  let workspace: string;

  beforeAll(async () => {
    standin = await startMessagesStandin({ session: SESSION });
    const repo = gitRepoFrom(join(ROOT, 'templates', 'calc-repo'));
    const home = tempDir();
    const { done } = labpilot(['--home', home, 'run', PLAYBOOK, '--var', `repo=${repo}`, '--json'], {
      ANTHROPIC_API_KEY: 'sk-ant-test-key-000000000000000000',
      ANTHROPIC_BASE_URL: standin.url,
    });
    const result = await done;
    if (result.code !== 0) console.error(result.stderr);
    code = result.code;
    events = parseEvents(result.stdout);
    workspace = ofType(events, 'run_started')[0]!.workspace;
  });
  afterAll(() => standin.close());

  it('prints only events that parse with the event schema, and passes', () => {
    expect(events.length).toBeGreaterThan(20);
    expect(code).toBe(0);
    expect(events.at(-1)).toMatchObject({ type: 'run_ended', verdict: 'passed' });
  });

  it('sent the step prompt, then the remediation prompt quoting the real failure', () => {
    const sent = ofType(events, 'prompt_sent').map((e) => e.text);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toContain('Make the failing tests pass');
    expect(sent[1]).toContain('AssertionError: 5 != 6');
    // What the model received over HTTP is what labpilot logged as sent.
    const userTexts = standin.requests.map((r) => JSON.stringify(r.messages));
    expect(userTexts.some((t) => t.includes('AssertionError: 5 != 6'))).toBe(true);
    expect(standin.requests[0]!.system).toBeDefined();
  });

  it('fired the remediation from labpilot’s own run of the tests', () => {
    const trigger = ofType(events, 'trigger_matched')[0]!;
    expect(trigger).toMatchObject({ remediation: 'assertion-failed', step: 'verify', source: 'command_output' });
    expect(trigger.line).toBe('AssertionError: 5 != 6');
    expect(ofType(events, 'remediation_chosen').map((e) => e.remediation)).toEqual(['assertion-failed']);
    const verify = ofType(events, 'command_exited');
    expect(verify.map((e) => e.exitCode)).toEqual([1, 0]);
    expect(verify[1]!.metrics).toMatchObject({ tests_run: 2 });
  });

  it('executed the tool calls in the workspace', () => {
    expect(ofType(events, 'tool_call').map((e) => e.name)).toEqual(['bash', 'read_file', 'edit_file', 'edit_file', 'write_file']);
    const results = ofType(events, 'tool_result');
    expect(results[0]!.output).toContain('FAILED (failures=2)');
    expect(results[3]).toMatchObject({ isError: true });
    expect(readFileSync(join(workspace, 'calc.py'), 'utf8')).toContain('return a * b');
  });

  it('committed each turn that changed files on the run branch', () => {
    const commits = ofType(events, 'commit_made');
    expect(commits).toHaveLength(2);
    const branch = ofType(events, 'run_started')[0]!.branch;
    const log = execFileSync('git', ['log', '--format=%H %s', branch], { cwd: workspace }).toString().trim().split('\n');
    expect(log.slice(0, 2).map((l) => l.split(' ')[0])).toEqual(commits.map((c) => c.sha).reverse());
    expect(log).toHaveLength(3);
  });

  it('verified the checklist itself', () => {
    const checklist = ofType(events, 'gate_judged').filter((g) => g.scope === 'checklist');
    expect(checklist.map((g) => [g.check, g.passed])).toEqual([
      ['The tests pass', true],
      ['test_calc.py is unchanged', true],
    ]);
  });
});
