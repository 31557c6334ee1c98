import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMessagesStandin, type MessagesStandin } from '../../src/standin/messages-server.js';
import { latestUserText } from '../../src/standin/request.js';
import { ROOT, gitRepoFrom, labpilot, parseEvents, tempDir } from '../helpers/cli.js';
import type { Event, EventOf } from '../../src/events/schema.js';

/**
 * The example playbook end to end with `--agent claude-code`: the real binary drives the real
 * Claude Code (through the Agent SDK), which talks HTTP to the Messages API stand-in and runs
 * its own Bash/Read/Edit/Write tools in the cloned workspace once labpilot permits each call.
 */
const PLAYBOOK = join(ROOT, 'playbooks', 'fix-failing-test.yaml');
const SESSION = join(ROOT, 'playbooks', 'sessions', 'fix-failing-test.claude-code.yaml');

const ofType = <T extends Event['type']>(events: Event[], type: T) => events.filter((e): e is EventOf<T> => e.type === type);

describe('fix-failing-test playbook driving Claude Code, end to end', () => {
  let standin: MessagesStandin;
  let events: Event[];
  let code: number | null;
  let stderr: string;
  let workspace: string;

  beforeAll(async () => {
    standin = await startMessagesStandin({ session: SESSION });
    const repo = gitRepoFrom(join(ROOT, 'templates', 'calc-repo'));
    const home = tempDir();
    const { done } = labpilot(['--home', home, 'run', PLAYBOOK, '--var', `repo=${repo}`, '--agent', 'claude-code', '--json'], {
      ANTHROPIC_API_KEY: 'sk-ant-test-key-000000000000000000',
      ANTHROPIC_BASE_URL: standin.url,
      // Claude Code's own settings, sessions and caches stay in the test's folder.
      CLAUDE_CONFIG_DIR: join(home, 'claude'),
    });
    const result = await done;
    code = result.code;
    stderr = result.stderr;
    events = parseEvents(result.stdout);
    workspace = ofType(events, 'run_started')[0]!.workspace;
  }, 120_000);
  afterAll(() => standin.close());

  it('passes, with the stand-in’s whole story told', () => {
    expect(code, stderr).toBe(0);
    expect(events.at(-1)).toMatchObject({ type: 'run_ended', verdict: 'passed' });
    expect(standin.remaining()).toBe(0);
    expect(readFileSync(join(workspace, 'calc.py'), 'utf8')).toContain('return a * b');
  });

  it('sent the step prompt, then the remediation prompt, to the model through Claude Code', () => {
    const sent = ofType(events, 'prompt_sent').map((e) => e.text);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toContain('Make the failing tests pass');
    expect(sent[1]).toContain('AssertionError: 5 != 6');
    const latest = standin.requests.map((r) => latestUserText(r));
    expect(latest.some((t) => t.includes('Make the failing tests pass'))).toBe(true);
    expect(latest.some((t) => t.includes('AssertionError: 5 != 6'))).toBe(true);
    // The playbook's system prompt rides on Claude Code's own.
    const system = JSON.stringify(standin.requests[0]!.system);
    expect(system).toContain(readFileSync(join(ROOT, 'prompts', 'fix-failing-test', 'system.md'), 'utf8').trim().split('\n')[0]);
    // The second turn resumes the first one's conversation.
    const last = standin.requests.at(-1)!;
    expect(JSON.stringify(last.messages)).toContain('Make the failing tests pass');
  });

  it('mapped Claude Code’s tool calls and their results into labpilot events', () => {
    expect(ofType(events, 'tool_call').map((e) => e.name)).toEqual(['Bash', 'Read', 'Edit', 'Edit', 'Write']);
    const calls = ofType(events, 'tool_call');
    const results = ofType(events, 'tool_result');
    expect(results.map((r) => r.callId)).toEqual(calls.map((c) => c.callId));
    expect(results[0]!.output).toContain('FAILED (failures=2)');
    expect(results[1]!.output).toContain('def add');
    expect(results[3]).toMatchObject({ isError: true });
    expect(results[3]!.output).toContain('Found 2 matches');
    expect(results[4]).toMatchObject({ isError: false });
    expect(ofType(events, 'agent_text').map((e) => e.text)).toContain('`multiply` adds instead of multiplying. Fixing it.');
  });

  it('ended each turn with Claude Code’s usage and cost', () => {
    const ended = ofType(events, 'agent_turn_ended');
    expect(ended).toHaveLength(2);
    for (const e of ended) {
      expect(e.stopReason).toBe('end_turn');
      expect(e.usage.inputTokens).toBeGreaterThan(0);
      expect(e.usage.outputTokens).toBeGreaterThan(0);
      expect(e.costUsd).toBeGreaterThan(0);
    }
    expect(ended.map((e) => e.filesChanged)).toEqual([true, true]);
  });

  it('fired the remediation from labpilot’s own run of the tests, and judged the checklist itself', () => {
    expect(ofType(events, 'remediation_chosen').map((e) => e.remediation)).toEqual(['assertion-failed']);
    expect(ofType(events, 'command_exited').map((e) => e.exitCode)).toEqual([1, 0]);
    const checklist = ofType(events, 'gate_judged').filter((g) => g.scope === 'checklist');
    expect(checklist.map((g) => [g.check, g.passed])).toEqual([
      ['The tests pass', true],
      ['test_calc.py is unchanged', true],
    ]);
  });
});
