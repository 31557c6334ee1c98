import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claudeCostState, claudeOwnTokens, drift, fixture, imported } from '../../../tests/helpers/transcript-accounting.js';
import { personText } from './claude-code-text.js';

const V1 = fixture('claude-code-1x-session.jsonl');
// Written by the real Claude Code 2.1 against the Messages API stand-in (scripts/make-claude-code-transcript.ts).
const V2 = fixture('claude-code-2x-session.jsonl');
const V2_SUBAGENT = fixture('claude-code-2x-session/subagents/agent-a50735bd1180b2b23.jsonl');

describe('Claude Code sessions: tokens as the session counts them', () => {
  it('1.x: each streamed message once, with its last line’s usage (8,488 output tokens, not the first line’s 7)', () => {
    const { tokens, of } = imported(V1, 'claude-code');
    expect(tokens).toEqual(claudeOwnTokens(V1));
    expect(drift(tokens, claudeOwnTokens(V1))).toBeLessThan(0.01);
    expect(of('agent_turn_ended').at(-1)!.usage.outputTokens).toBe(8488 + 64);
  });

  it('2.x: the session and its subagent’s file add up to Claude Code’s own ledger, tokens and dollars', () => {
    const { tokens, cost } = imported(V2, 'claude-code');
    const ledger = claudeCostState(V2);
    expect(tokens).toEqual({ input: ledger.input, output: ledger.output, cacheRead: ledger.cacheRead, cacheWrite: ledger.cacheWrite });
    expect(tokens).toEqual(claudeOwnTokens(V2, V2_SUBAGENT));
    expect(Math.abs(cost - ledger.costUsd) / ledger.costUsd).toBeLessThan(0.01);
  });
});

describe('Claude Code sessions: the person’s prompts', () => {
  it('1.x: IDE blocks, reminders, command wrappers and local output are not prompts; /init keeps its turn and usage', () => {
    const { of } = imported(V1, 'claude-code');
    expect(of('prompt_sent').map((e) => e.text)).toEqual([
      '/init',
      'Run the smoke stage: python3 eval.py --stage smoke',
      'Load it in 4-bit and strip the module. prefix, then rerun.',
      'Go on, rerun it.',
    ]);
    const first = of('agent_turn_ended')[0]!;
    expect(first).toMatchObject({ turn: 1, filesChanged: true, usage: { outputTokens: 142 + 188 + 21 } });
    expect(of('agent_turn_ended')[2]).toMatchObject({ stopReason: 'aborted' });
  });

  it('2.x: a session opened by a project slash command, and a prompt sent with the open file and the selection', () => {
    const { of } = imported(V2, 'claude-code');
    expect(of('prompt_sent').map((e) => e.text)).toEqual(['/smoke on libero_spatial', 'Yes, load it in 4-bit.', 'Rerun the smoke stage, please.']);
    expect(of('agent_turn_ended')[0]!.usage.outputTokens).toBe(212 + 97);
  });

  it('keeps what the person typed from blocks that mix context and words', () => {
    expect(personText(['<ide_selection>x = 1\n</ide_selection>', 'Why does this fail?'])).toMatchObject({ typed: 'Why does this fail?' });
    expect(personText(['<system-reminder>\nnote\n</system-reminder>\nGo on.'])).toMatchObject({ typed: 'Go on.' });
    expect(personText(['<command-name>/review</command-name>\n<command-args>PR 12</command-args>'])).toEqual({ typed: '', command: '/review PR 12', local: false, interrupted: false });
    expect(personText(['<local-command-stdout>ok</local-command-stdout>'])).toMatchObject({ typed: '', local: true });
  });
});

describe('Claude Code sessions: subagents', () => {
  it('1.x: inline side chain lines are attributed to the Task call that started them', () => {
    const { all } = imported(V1, 'claude-code');
    const side = all.filter((e) => e.sidechain);
    expect(side.length).toBeGreaterThan(0);
    expect(new Set(side.map((e) => e.parentCallId))).toEqual(new Set(['toolu_01TaskKeys']));
  });

  it('2.x: the subagent’s own file is read where its call’s result names it, attributed to that call', () => {
    const { all, stats } = imported(V2, 'claude-code');
    const side = all.filter((e) => e.sidechain);
    const call = all.find((e) => e.event.type === 'tool_call' && e.event.name === 'Agent')!.event as { callId: string };
    expect(side.map((e) => e.event.type)).toEqual(['notice', 'tool_call', 'tool_result', 'agent_text']);
    expect(side.every((e) => e.parentCallId === call.callId)).toBe(true);
    expect(stats.skipped).toBe(0);
  });

  it('a subagent file that is not there is said, not fatal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'labpilot-cc-'));
    const alone = join(dir, 'session.jsonl');
    writeFileSync(alone, readFileSync(V2, 'utf8'));
    const { of } = imported(alone, 'claude-code');
    expect(of('notice').map((n) => n.message)).toContainEqual(expect.stringMatching(/^subagent a50735bd1180b2b23 of call toolu_\w+: its transcript is not beside this one$/));
  });
});
