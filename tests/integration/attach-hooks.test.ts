import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, gitRepoFrom, labpilot, ofType, parseEvents, ROOT, tempDir, until } from '../helpers/cli.js';
import type { Event } from '../../src/events/schema.js';

/**
 * Each hook of an attached run called as Claude Code calls it: the real binary, the hook's JSON
 * on stdin, labpilot's answer on stdout. The inputs have the fields Claude Code 2.1 sends.
 */

const PLAYBOOK = `
name: hook-bounds
budgets: { turns: TURNS, attempts: 20 }
steps:
  - id: write
    kind: prompt
    prompt: "Create done.txt in the repository."
    max_attempts: 20
    done_when:
      - { check: file_exists, path: done.txt }
  # No timeout: it may outlast a hook call, so it runs detached.
  - id: slow
    kind: run
    command: "sleep 1 && echo slow-done"
  - id: wrap-up
    kind: prompt
    prompt: "Say what you did."
remediations:
  - id: missing-module
    when: { match: "ModuleNotFoundError: No module named '(\\\\w+)'", in: [tool_output] }
    then: { prompt: "Install the module {{match.1}} before anything else." }
    steps: [write]
`;

async function attached(turns: number) {
  const dir = gitRepoFrom(join(ROOT, 'templates', 'calc-repo'));
  const playbook = join(tempDir(), 'hook-bounds.yaml');
  writeFileSync(playbook, PLAYBOOK.replace('TURNS', String(turns)));
  const a = await labpilot(['attach', playbook], {}, dir).done;
  expect(a.code, a.stderr).toBe(0);
  const id = JSON.parse(readFileSync(join(dir, '.labpilot', 'attached.json'), 'utf8')).runId as string;
  const log = () => parseEvents(readFileSync(join(dir, '.labpilot', 'runs', id, 'events.jsonl'), 'utf8'));
  const hook = (event: string, fields: Record<string, unknown> = {}) => {
    const input = { session_id: 'sess-1', transcript_path: join(dir, 'none.jsonl'), cwd: dir, hook_event_name: event, ...fields };
    const r = spawnSync(process.execPath, [BIN, 'hook', event, '--run', id], { cwd: dir, input: JSON.stringify(input) });
    expect(r.status, r.stderr.toString()).toBe(0);
    return JSON.parse(r.stdout.toString()) as { decision?: string; reason?: string; systemMessage?: string; hookSpecificOutput?: { additionalContext: string } };
  };
  return { dir, id, log, hook };
}

const stepsOf = (events: Event[]) => ofType(events, 'step_entered').map((e) => `${e.step}#${e.attempt}`);

describe('hooks of an attached run', () => {
  it('give context, hint a remediation from tool output, stop blocking before Claude Code would override, and run a long step detached', async () => {
    const { dir, id, hook, log } = await attached(30);
    const start = hook('SessionStart', { source: 'startup' });
    expect(start.hookSpecificOutput!.additionalContext).toMatch(/step 1 of 3, 'write', attempt 1[\s\S]*Create done\.txt in the repository\./);
    expect(hook('UserPromptSubmit', { prompt: 'hi' }).hookSpecificOutput!.additionalContext).toContain('Create done.txt');

    const failed = hook('PostToolUseFailure', {
      tool_name: 'Bash',
      tool_input: { command: 'python3 train.py' },
      tool_use_id: 'toolu_1',
      error: "Exit code 1\nTraceback (most recent call last):\nModuleNotFoundError: No module named 'numpy'",
    });
    expect(failed.hookSpecificOutput!.additionalContext).toContain('Install the module numpy before anything else.');
    expect(ofType(log(), 'trigger_matched')).toMatchObject([{ remediation: 'missing-module', source: 'tool_output' }]);

    // Claude keeps stopping without done.txt: eight blocks in a row, then labpilot lets it stop.
    const answers = [hook('Stop', { stop_hook_active: false })];
    // The person writes while Claude works on labpilot's prompt: logged, and the turn still answers the prompt.
    expect(hook('UserPromptSubmit', { prompt: 'also keep it short' })).toEqual({});
    for (let i = 0; i < 8; i++) answers.push(hook('Stop', { stop_hook_active: true }));
    expect(answers.map((a) => a.decision ?? 'allow')).toEqual([...Array(8).fill('block'), 'allow']);
    // The engine remediates the first failed gate with the tool output's hit, then says what failed.
    expect(answers[0]!.reason).toBe('Install the module numpy before anything else.');
    expect(answers[1]!.reason).toMatch(/Create done\.txt[\s\S]*not done yet:\n- file done\.txt exists: /);
    expect(answers[8]!.systemMessage).toMatch(/labpilot stopped blocking: Claude was sent back 8 times in a row\. Step 'write' still waits/);
    // The prompt that was held back goes out with the person's next message.
    expect(hook('UserPromptSubmit', { prompt: 'try again' }).hookSpecificOutput!.additionalContext).toContain('Create done.txt');

    writeFileSync(join(dir, 'done.txt'), 'done\n');
    const detached = hook('Stop', { stop_hook_active: false });
    expect(detached.decision).toBeUndefined();
    expect(detached.systemMessage).toContain('labpilot runs `sleep 1 && echo slow-done` (step slow) in the background');
    const ready = await until('the detached step to finish', () => {
      const events = log();
      return events.some((e) => e.type === 'prompt_proposed' && e.step === 'wrap-up') ? events : undefined;
    });
    expect(ofType(ready, 'command_exited').filter((e) => e.step === 'slow')).toMatchObject([{ exitCode: 0, tail: ['slow-done'] }]);
    expect(hook('UserPromptSubmit', { prompt: 'what next?' }).hookSpecificOutput!.additionalContext).toContain('Say what you did.');

    const end = hook('Stop', { stop_hook_active: false });
    expect(end.decision).toBeUndefined();
    expect(end.systemMessage).toMatch(/passed: every step passed\. Report: .*report\.md/);
    expect(stepsOf(log())).toEqual([...Array.from({ length: 9 }, (_, i) => `write#${i + 1}`), 'slow#1', 'wrap-up#1']);

    const replay = await labpilot(['replay', id, '--check'], {}, dir).done;
    expect(replay.code, replay.stdout + replay.stderr).toBe(0);

    // Once the run has ended, the hooks stay out of the way and write nothing.
    const before = log().length;
    expect(hook('Stop', { stop_hook_active: false })).toEqual({});
    expect(hook('SessionStart', { source: 'resume' }).hookSpecificOutput!.additionalContext).toMatch(/ended: passed.*`labpilot detach` removes its hooks/);
    expect(log()).toHaveLength(before);
  }, 240_000);

  it('take turns on the run when Claude Code calls several at once', async () => {
    const { dir, id, log } = await attached(30);
    const call = (n: number) =>
      new Promise<number | null>((res) => {
        const input = { session_id: 's', hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: { command: `echo ${n}` }, tool_response: { stdout: `out ${n}`, stderr: '' }, tool_use_id: `toolu_${n}` };
        const child = spawn(process.execPath, [BIN, 'hook', 'PostToolUse', '--run', id], { cwd: dir, stdio: ['pipe', 'ignore', 'ignore'] });
        child.stdin.end(JSON.stringify(input));
        child.on('close', res);
      });
    expect(await Promise.all([1, 2, 3, 4].map(call))).toEqual([0, 0, 0, 0]);
    const events = log();
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    // Each call's events are together: its hook_called, tool call, result and answer in a row.
    const calls = events.filter((e) => e.type === 'tool_call' || e.type === 'tool_result').map((e) => (e as { callId: string }).callId);
    expect(calls).toHaveLength(8);
    for (let i = 0; i < 8; i += 2) expect(calls[i]).toBe(calls[i + 1]);
    expect(new Set(calls).size).toBe(4);
  }, 120_000);

  it('let Claude stop, the person told, when the turn budget is spent; watch follows it to the end', async () => {
    const { dir, id, hook, log } = await attached(2);
    const watch = labpilot(['watch', id], {}, dir);
    let seen = '';
    watch.child.stdout!.on('data', (d: Buffer) => (seen += d.toString()));
    // Between hook calls no process runs an attached run; watch waits for it all the same.
    await until('watch to show the run', () => (seen.includes('step write: attempt 1') ? true : undefined));
    hook('UserPromptSubmit', { prompt: 'go' });
    expect(hook('Stop', { stop_hook_active: false }).decision).toBe('block');
    const spent = hook('Stop', { stop_hook_active: true });
    expect(spent.decision).toBeUndefined();
    expect(spent.systemMessage).toMatch(/budget_exhausted: turn budget spent \(2 of 2\)/);
    expect(ofType(log(), 'run_ended')).toMatchObject([{ verdict: 'budget_exhausted' }]);
    const watched = await watch.done;
    expect(watched.code).toBe(1);
    expect(watched.stdout).toMatch(/hook UserPromptSubmit[\s\S]*hook Stop[\s\S]*block: [\s\S]*run ended: budget_exhausted: turn budget spent \(2 of 2\)/);
  }, 120_000);
});
