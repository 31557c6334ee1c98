import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codexOwnTokens, drift, fixture, imported } from '../../../tests/helpers/transcript-accounting.js';
import { shellOutput } from './codex.js';

// Written in the shape codex-rs writes (protocol/src/models.rs, protocol.rs): codex-cli 0.39 and 0.98.
const OLD = fixture('codex-rollout-old.jsonl');
const NEW = fixture('codex-rollout-new.jsonl');

describe('Codex rollouts: tokens as the rollout counts them', () => {
  it.each([
    ['old', OLD],
    ['new', NEW],
  ])('%s: the running total is taken once (repeats and the per-response counts are not summed)', (_, file) => {
    const { tokens } = imported(file, 'codex');
    expect(tokens).toEqual(codexOwnTokens(file));
    expect(drift(tokens, codexOwnTokens(file))).toBeLessThan(0.01);
  });

  it('each turn gets the growth of the total during it', () => {
    const { of } = imported(NEW, 'codex');
    expect(of('agent_turn_ended').map((t) => t.usage.outputTokens)).toEqual([176 + 58, 203 + 47 + 31 + 25]);
  });
});

describe('Codex rollouts: prompts, shell runs, edits and failures', () => {
  it('old: AGENTS.md and the environment are context; shell argv and local_shell_call are bash runs; apply_patch through the shell is an edit', () => {
    const { of } = imported(OLD, 'codex');
    expect(of('prompt_sent').map((e) => e.text)).toEqual(['Run the smoke stage: python3 eval.py --stage smoke', 'Load it in 4-bit, then rerun the smoke stage.']);
    const calls = of('tool_call');
    expect(calls.map((c) => [c.name, String(c.input.command).split('\n')[0]])).toEqual([
      ['bash', 'python3 eval.py --stage smoke'],
      ['bash', 'apply_patch *** Begin Patch'],
      ['bash', 'python3 eval.py --stage smoke'],
    ]);
    expect(of('tool_result').map((r) => r.isError)).toEqual([true, false, false]);
    expect(of('tool_result')[0]!.output).toContain('torch.OutOfMemoryError: CUDA out of memory');
    expect(of('agent_turn_ended').map((t) => t.filesChanged)).toEqual([false, true]);
  });

  it('new: skills, plugins and environment are context; code mode’s exec is a bash run with its output parts read and its failure flagged', () => {
    const { of } = imported(NEW, 'codex');
    expect(of('prompt_sent').map((e) => e.text)).toEqual(['Run the smoke stage and tell me what fails.', 'Load it in 4-bit, then rerun the smoke stage.']);
    const calls = of('tool_call');
    expect(calls.map((c) => [c.name, c.input.command ?? null])).toEqual([
      ['bash', 'python3 eval.py --stage smoke'],
      ['apply_patch', null],
      ['bash', 'python3 eval.py --stage smoke'],
      ['bash', 'git diff --stat'],
    ]);
    const results = of('tool_result');
    expect(results.map((r) => r.isError)).toEqual([true, false, false, false]);
    expect(results[0]!.output).toContain('Process exited with code 1');
    expect(results[0]!.output).toContain('torch.OutOfMemoryError: CUDA out of memory');
    expect(of('agent_turn_ended').map((t) => t.filesChanged)).toEqual([false, true]);
  });
});

describe('Codex rollouts: what the person typed', () => {
  it('a message wholly in markup the person wrote stays a prompt; context fragments do not become one', () => {
    const user = (...texts: string[]) =>
      JSON.stringify({ timestamp: '2026-11-18T08:40:02.000Z', type: 'response_item', payload: { type: 'message', role: 'user', content: texts.map((text) => ({ type: 'input_text', text })) } });
    const path = join(mkdtempSync(join(tmpdir(), 'labpilot-codex-')), 'rollout.jsonl');
    writeFileSync(path, [user('<user_shell_command>\nls\n</user_shell_command>'), user('<collaboration_mode>plan</collaboration_mode>', '<div>Center this</div>')].join('\n'));
    expect(imported(path, 'codex').of('prompt_sent').map((e) => e.text)).toEqual(['<div>Center this</div>']);
  });
});

describe('shellOutput', () => {
  it.each([
    ['{"output":"boom\\n","metadata":{"exit_code":2,"duration_seconds":0.1}}', 'boom\n', true],
    ['Exit code: 0\nWall time: 0.1 seconds\nOutput:\nok\n', 'Exit code: 0\nWall time: 0.1 seconds\nOutput:\nok\n', false],
    ['Chunk ID: a\nWall time: 1 seconds\nProcess exited with code 127\nOutput:\nnot found\n', 'Chunk ID: a\nWall time: 1 seconds\nProcess exited with code 127\nOutput:\nnot found\n', true],
  ])('reads %j', (raw, output, isError) => {
    expect(shellOutput(raw)).toEqual({ output, isError });
  });

  it('reads an array of parts, and a script that failed', () => {
    const parts = [
      { type: 'input_text', text: 'Script failed\nWall time 0.2 seconds\nOutput:\n' },
      { type: 'input_text', text: 'Script error:\nTypeError: x is undefined' },
    ];
    expect(shellOutput(parts)).toEqual({ output: 'Script failed\nWall time 0.2 seconds\nOutput:\n\nScript error:\nTypeError: x is undefined', isError: true });
  });
});
