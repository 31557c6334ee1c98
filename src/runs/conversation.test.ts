import { describe, expect, it } from 'vitest';
import type { Event, EventInput } from '../events/schema.js';
import { conversationOf } from './conversation.js';

const stamp = (inputs: EventInput[]): Event[] => inputs.map((e, seq) => ({ ...e, seq, ts: '2026-01-01T00:00:00Z' }) as Event);
const usage = { inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0 };

describe('the conversation rebuilt from a run log', () => {
  it('keeps prompts, whole replies and tool results in order, and the turn a kill cut short', () => {
    const c = conversationOf(
      stamp([
        { type: 'prompt_sent', promptId: 'p1', step: 's', text: 'first' },
        { type: 'agent_reply', turn: 1, stopReason: 'end_turn', usage, content: [{ type: 'text', text: 'done' }] },
        { type: 'agent_turn_ended', turn: 1, promptId: 'p1', stopReason: 'end_turn', usage, costUsd: 0, filesChanged: false },
        { type: 'prompt_sent', promptId: 'p2', step: 's', text: 'second' },
        { type: 'agent_reply', turn: 2, stopReason: 'tool_use', usage, content: [{ type: 'tool_use', id: 't1', name: 'bash', input: { command: 'ls' } }, { type: 'tool_use', id: 't2', name: 'bash', input: { command: 'pwd' } }] },
        { type: 'tool_call', turn: 2, callId: 't1', name: 'bash', input: { command: 'ls' } },
        { type: 'tool_result', turn: 2, callId: 't1', output: 'a.txt', isError: false },
      ]),
    );
    expect(c.items.map((i) => i.kind)).toEqual(['prompt', 'reply', 'prompt', 'reply', 'results']);
    expect(c.turns).toBe(2);
    expect(c.open).toMatchObject({ promptId: 'p2', turn: 2, lastStop: 'tool_use', usage: { inputTokens: 10 }, unanswered: [{ id: 't2' }] });
  });

  it('continues a turn killed before its first reply, with its prompt in the conversation', () => {
    const c = conversationOf(stamp([{ type: 'prompt_sent', promptId: 'p1', step: 's', text: 'first' }]));
    expect(c.items).toEqual([{ kind: 'prompt', text: 'first' }]);
    expect(c.open).toMatchObject({ promptId: 'p1', turn: 1 });
  });

  it('starts afresh from a log written before replies were logged', () => {
    const c = conversationOf(
      stamp([
        { type: 'prompt_sent', promptId: 'p1', step: 's', text: 'first' },
        { type: 'tool_result', turn: 1, callId: 't1', output: 'x', isError: false },
      ]),
    );
    expect([c.items, c.turns, c.open]).toEqual([[], 1, undefined]);
  });
});
