import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startMessagesStandin } from '../../src/standin/messages-server.js';
import { latestUserText } from '../../src/standin/request.js';
import type { ScriptedSessionInput } from '../../src/standin/session-schema.js';
import { labpilot, ofType, parseEvents, ROOT, tempDir, type CliResult } from '../helpers/cli.js';
import type { Event } from '../../src/events/schema.js';

/**
 * `labpilot attach` on a person's repository, then the real Claude Code binary (the one the
 * Agent SDK ships) run headless as a person would run it, talking HTTP to the Messages API
 * stand-in. labpilot sees the session only through the hooks attach installed.
 */
const PLAYBOOK = join(ROOT, 'playbooks', 'fix-failing-test.yaml');
const SESSION = join(ROOT, 'playbooks', 'sessions', 'fix-failing-test.hooks.yaml');
const CLAUDE = join(ROOT, 'node_modules', '@anthropic-ai', `claude-agent-sdk-${process.platform}-${process.arch}`, 'claude');

/** The person's repository: a clone of a remote, as a real one would be (the checklist diffs against origin/HEAD). */
function personRepo(): string {
  const dir = tempDir('labpilot-person-');
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env });
  execFileSync('cp', ['-r', join(ROOT, 'templates', 'calc-repo'), join(dir, 'src')]);
  git(join(dir, 'src'), 'init', '-q', '-b', 'main');
  git(join(dir, 'src'), 'add', '-A');
  git(join(dir, 'src'), 'commit', '-qm', 'initial');
  git(dir, 'clone', '-q', '--bare', 'src', 'origin.git');
  git(dir, 'clone', '-q', 'origin.git', 'repo');
  return join(dir, 'repo');
}

/** `claude -p PROMPT` in the repository, as the person would run it; its stream-json output parsed. */
function claude(repo: string, url: string, prompt: string): Promise<CliResult & { stream: Array<Record<string, unknown>> }> {
  const args = ['-p', prompt, '--output-format', 'stream-json', '--verbose', '--model', 'claude-sonnet-4-6', '--allowedTools', 'Read,Edit,Bash'];
  const child = spawn(CLAUDE, args, {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ANTHROPIC_API_KEY: 'sk-ant-test-key-000000000000000000',
      ANTHROPIC_BASE_URL: url,
      CLAUDE_CONFIG_DIR: tempDir('labpilot-claude-'),
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      CLAUDE_CODE_MAX_RETRIES: '0',
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((res) =>
    child.on('close', (code, signal) => {
      const stream = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      res({ code, signal, stdout, stderr, stream });
    }),
  );
}

/** Attaches, runs the session, and reads back the run's log. */
async function attachedSession(session: string | ScriptedSessionInput) {
  const standin = await startMessagesStandin({ session });
  const repo = personRepo();
  const attach = await labpilot(['attach', PLAYBOOK], {}, repo).done;
  const run = await claude(repo, standin.url, 'Go on with the step labpilot gave you');
  const home = join(repo, '.labpilot');
  const id = readdirSync(join(home, 'runs'))[0]!;
  const events = parseEvents(readFileSync(join(home, 'runs', id, 'events.jsonl'), 'utf8'));
  const runs = await labpilot(['runs', '--json'], {}, repo).done;
  return { standin, repo, attach, run, id, home, events, runs: parseRuns(runs.stdout) };
}

const parseRuns = (s: string) => s.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { id: string; status: string; reason: string });
/** What Claude Code showed the person from the Stop hook (`systemMessage`). */
const toldThePerson = (stream: Array<Record<string, unknown>>) =>
  stream.filter((m) => m.type === 'system' && m.subtype === 'informational' && String(m.content).startsWith('Stop says:')).map((m) => String(m.content));
const stopAnswers = (events: Event[]) => ofType(events, 'hook_answered').filter((e) => e.hook === 'Stop');

describe('attach: a stop too early is blocked with the failing test, and the run passes', () => {
  let s: Awaited<ReturnType<typeof attachedSession>>;
  beforeAll(async () => {
    s = await attachedSession(SESSION);
  }, 240_000);
  afterAll(() => s?.standin.close());

  it('attached, installed the hooks and said how to go on', () => {
    expect(s.attach.code, s.attach.stderr).toBe(0);
    expect(s.attach.stdout).toContain('Go on with:  claude');
    expect(s.attach.stdout).toContain('the file is new');
    expect(s.run.code, s.run.stderr).toBe(0);
    expect(s.standin.remaining()).toBe(0);
  });

  it('handed Claude the step’s prompt with the person’s own, both logged as sent', () => {
    expect(ofType(s.events, 'prompt_sent').map((e) => [e.promptId, e.text.split('\n')[0]])).toEqual([
      ['u1', 'Go on with the step labpilot gave you'],
      ['p1', 'The tests of this repository fail. Make the failing tests pass.'],
      ['p2', 'I ran the tests and they still fail:'],
    ]);
    expect(latestUserText(s.standin.requests[0]!)).toContain('Make the failing tests pass');
  });

  it('blocked the first stop with the failing test’s output, from its own run of the tests', () => {
    const [first, last] = stopAnswers(s.events);
    expect(first).toMatchObject({ answer: 'block' });
    expect(first!.text).toContain('AssertionError: 5 != 6');
    expect(first!.text).toContain('FAILED (failures=1)');
    expect(ofType(s.events, 'command_exited').map((e) => e.exitCode)).toEqual([1, 0]);
    // The model read the block as Claude Code delivers it.
    const fed = s.standin.requests.map((r) => latestUserText(r)).find((t) => t.includes('Stop hook feedback'));
    expect(fed).toContain('AssertionError: 5 != 6');
    expect(last).toMatchObject({ answer: 'allow' });
  });

  it('passed once the second bug was fixed, wrote the report and told the person', () => {
    expect(readFileSync(join(s.repo, 'calc.py'), 'utf8')).toContain('return a * b');
    expect(ofType(s.events, 'run_ended')).toMatchObject([{ verdict: 'passed' }]);
    expect(existsSync(join(s.home, 'runs', s.id, 'report.md'))).toBe(true);
    expect(toldThePerson(s.run.stream)).toEqual([expect.stringMatching(/labpilot run .* passed: every step and checklist item passed\. Report: .*report\.md/)]);
    expect(s.runs).toMatchObject([{ id: s.id, status: 'passed' }]);
  });

  it('logged every hook call, the tool calls, and both turns with Claude Code’s usage and cost', () => {
    expect(ofType(s.events, 'hook_called').map((e) => e.hook)).toEqual(['SessionStart', 'UserPromptSubmit', 'PostToolUse', 'PostToolUse', 'Stop', 'PostToolUse', 'Stop']);
    expect(ofType(s.events, 'tool_call').map((e) => e.name)).toEqual(['Read', 'Edit', 'Edit']);
    const turns = ofType(s.events, 'agent_turn_ended');
    expect(turns.map((t) => [t.promptId, t.filesChanged])).toEqual([['p1', true], ['p2', true]]);
    // Read from Claude Code's transcript, they add up to what Claude Code itself reports.
    const result = s.run.stream.find((m) => m.type === 'result') as { usage: { input_tokens: number; output_tokens: number }; total_cost_usd: number };
    const sum = (f: (t: (typeof turns)[number]) => number) => turns.reduce((n, t) => n + f(t), 0);
    expect(sum((t) => t.usage.inputTokens)).toBe(result.usage.input_tokens);
    expect(sum((t) => t.usage.outputTokens)).toBe(result.usage.output_tokens);
    expect(sum((t) => t.costUsd)).toBeCloseTo(result.total_cost_usd, 6);
  });

  it('replays with no differences', async () => {
    const r = await labpilot(['replay', s.id, '--check'], {}, s.repo).done;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('no differences');
  });
});

/** The model "fixes" multiply the same wrong way each time it is told the test still fails. */
const SAME_FIX: ScriptedSessionInput = {
  turns: [
    { when: 'Make the failing tests pass', reply: [{ tool_use: { name: 'Read', input: { file_path: 'calc.py' } } }] },
    { when: 'def add', reply: [{ tool_use: { name: 'Edit', input: { file_path: 'calc.py', old_string: 'return a - b', new_string: 'return a + b' } } }] },
    { when: 'calc.py has been updated', reply: [{ text: 'Fixed `add`.' }] },
    {
      when: 'AssertionError: 5 != 6',
      repeat: true,
      reply: [{ tool_use: { name: 'Bash', input: { command: "sed -i 's/    return a + b/    return b + a/' calc.py && echo swapped", description: 'swap' } } }],
    },
    { when: 'swapped', repeat: true, reply: [{ text: 'Swapped the operands of `multiply`; that fixes it.' }] },
    { repeat: true, reply: [{ text: 'ok' }] },
  ],
};

describe('attach: the same failed fix again and again ends through the same-error rule', () => {
  let s: Awaited<ReturnType<typeof attachedSession>>;
  beforeAll(async () => {
    s = await attachedSession(SAME_FIX);
  }, 240_000);
  afterAll(() => s?.standin.close());

  it('blocked twice with the remediation, then let Claude stop for the person', () => {
    expect(s.run.code, s.run.stderr).toBe(0);
    expect(stopAnswers(s.events).map((e) => e.answer)).toEqual(['block', 'block', 'allow']);
    expect(ofType(s.events, 'remediation_chosen').map((e) => e.remediation)).toEqual(['assertion-failed', 'assertion-failed', 'same-error-again']);
    expect(ofType(s.events, 'run_ended')).toEqual([]);
    expect(s.runs).toMatchObject([{ status: 'attached' }]);
  });

  it('told the person why, and Claude Code never had to override a hook', () => {
    expect(toldThePerson(s.run.stream)).toEqual([
      expect.stringMatching(/^Stop says: labpilot needs you: the same failure three times in a row: AssertionError: 5 != 6\. Claude stops here/),
    ]);
    expect(s.run.stdout).not.toContain('stop-hook-block-cap');
    expect(ofType(s.events, 'hook_called').filter((e) => e.hook === 'Stop').map((e) => e.stopHookActive)).toEqual([false, true, true]);
  });
});
