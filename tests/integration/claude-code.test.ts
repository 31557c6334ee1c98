import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMessagesStandin, type MessagesStandin } from '../../src/standin/messages-server.js';
import { latestUserText } from '../../src/standin/request.js';
import { gitRepoFrom, labpilot, ofType, parseEvents, ROOT, tempDir } from '../helpers/cli.js';
import type { Event, EventInput, EventOf } from '../../src/events/schema.js';
import { createClaudeCodeAgent, type ClaudeCodeAgentOptions } from '../../src/agent/claude-code.js';

/**
 * The example playbook end to end with `--agent claude-code`: the real binary drives the real
 * Claude Code (through the Agent SDK), which talks HTTP to the Messages API stand-in and runs
 * its own Bash/Read/Edit/Write tools in the cloned workspace once labpilot permits each call.
 */
const PLAYBOOK = join(ROOT, 'playbooks', 'fix-failing-test.yaml');
const SESSION = join(ROOT, 'playbooks', 'sessions', 'fix-failing-test.claude-code.yaml');


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

/** Claude Code on the stand-in, its events collected in `events`. */
function claudeCode(url: string, workspace: string, events: EventInput[], extra: Partial<ClaudeCodeAgentOptions> = {}) {
  return createClaudeCodeAgent({
    model: 'claude-sonnet-4-6',
    system: '',
    workspace,
    sink: { emit: (e) => ({ ...e, seq: events.push(e), ts: '' }) as Event },
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ANTHROPIC_API_KEY: 'sk-ant-test-key-000000000000000000',
      ANTHROPIC_BASE_URL: url,
      CLAUDE_CONFIG_DIR: tempDir('labpilot-claude-'),
      CLAUDE_CODE_MAX_RETRIES: '0',
    },
    ...extra,
  });
}

describe('Claude Code’s permission requests, answered by labpilot', () => {
  const OUTSIDE = join(tempDir('labpilot-outside-'), 'written.txt');
  let standin: MessagesStandin;
  let events: EventInput[];
  let asked: string[];
  let workspace: string;

  beforeAll(async () => {
    standin = await startMessagesStandin({
      session: {
        turns: [
          {
            when: 'Try the guarded things',
            reply: [
              { tool_use: { name: 'Bash', input: { command: `echo hi > ${OUTSIDE}`, description: 'write outside' } } },
              { tool_use: { name: 'Write', input: { file_path: '../escaped.txt', content: 'no' } } },
              { tool_use: { name: 'Bash', input: { command: 'git push origin main', description: 'push' } } },
              { tool_use: { name: 'Write', input: { file_path: 'notes.txt', content: 'kept' } } },
            ],
          },
          { when: 'declined', reply: [{ text: 'Understood.' }] },
          { repeat: true, reply: [{ text: 'ok' }] },
        ],
      },
    });
    workspace = gitRepoFrom(join(ROOT, 'templates', 'calc-repo'));
    events = [];
    asked = [];
    const agent = claudeCode(standin.url, workspace, events, { approve: async (command) => (asked.push(command), false) });
    await agent.turn({ promptId: 'p1', text: 'Try the guarded things' });
  }, 120_000);
  afterAll(() => standin.close());

  const resultOf = (name: string, field: string, value: string) => {
    const call = events.find((e) => e.type === 'tool_call' && e.name === name && e.input[field] === value) as EventOf<'tool_call'> | undefined;
    return events.find((e) => e.type === 'tool_result' && e.callId === call?.callId) as EventOf<'tool_result'> | undefined;
  };

  it('refuses a command the shell policy denies, and a file outside the workspace', () => {
    expect(resultOf('Bash', 'command', `echo hi > ${OUTSIDE}`)).toMatchObject({ isError: true, output: expect.stringContaining('shell policy') });
    expect(existsSync(OUTSIDE)).toBe(false);
    expect(resultOf('Write', 'file_path', '../escaped.txt')).toMatchObject({ isError: true, output: expect.stringContaining('outside the workspace') });
    expect(existsSync(join(workspace, '..', 'escaped.txt'))).toBe(false);
  });

  it('asks the person about a risky command, and does not run it when declined', () => {
    expect(asked).toEqual(['git push origin main']);
    expect(resultOf('Bash', 'command', 'git push origin main')).toMatchObject({ isError: true, output: expect.stringContaining('the person declined') });
  });

  it('lets a write inside the workspace through', () => {
    expect(resultOf('Write', 'file_path', 'notes.txt')).toMatchObject({ isError: false });
    expect(readFileSync(join(workspace, 'notes.txt'), 'utf8')).toBe('kept');
  });
});

describe('a Claude Code turn that fails', () => {
  it('stops with an error naming Claude Code when the model API keeps failing', async () => {
    const standin = await startMessagesStandin({ session: { turns: [{ repeat: true, reply: [{ text: 'never' }], fault: { status: 500, times: 100 } }] } });
    try {
      const events: EventInput[] = [];
      const agent = claudeCode(standin.url, gitRepoFrom(join(ROOT, 'templates', 'calc-repo')), events);
      await expect(agent.turn({ promptId: 'p1', text: 'Fix it' })).rejects.toThrow(/Claude Code/);
      expect(standin.requests.length).toBeGreaterThan(0);
      // The error Claude Code reports in the model's place is a notice, not the model's text.
      expect(events.filter((e) => e.type === 'agent_text')).toEqual([]);
      expect(events.some((e) => e.type === 'notice' && e.message.includes('500'))).toBe(true);
    } finally {
      await standin.close();
    }
  }, 120_000);
});
