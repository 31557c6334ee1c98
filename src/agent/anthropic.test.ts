import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useAgentWorld } from '../../tests/helpers/agent-world.js';
import { EnvironmentError } from '../errors.js';
import { startMessagesStandin, type MessagesStandin } from '../standin/messages-server.js';
import type { ScriptedSessionInput } from '../standin/session-schema.js';
import { createAnthropicAgent } from './anthropic.js';
import { createAgentFromEnv } from './index.js';
import { priceOf } from './pricing.js';
import { createToolSet } from './tools/index.js';

const MODEL = 'claude-sonnet-4-6';
const world = useAgentWorld<MessagesStandin>('agent-ws-');

async function agentFor(session: ScriptedSessionInput, extra: { maxToolRounds?: number } = {}) {
  world.standin = await startMessagesStandin({ session });
  const agent = createAnthropicAgent({
    apiKey: 'test-key',
    baseURL: world.standin.url,
    model: MODEL,
    system: 'You edit code in the workspace.',
    tools: createToolSet({ workspace: world.ws, commandTimeoutMs: 10_000 }),
    sink: world.sink,
    ...extra,
  });
  return { agent, s: world.standin };
}

const writeThenCat: ScriptedSessionInput = {
  turns: [
    {
      id: 'write',
      when: 'Create hello.txt',
      reply: [
        { text: 'I will create the file, then check it.' },
        { tool_use: { name: 'write_file', input: { path: 'notes/hello.txt', content: 'hello from the agent\n' } } },
      ],
    },
    { id: 'cat', when: 'wrote \\d+ bytes', reply: [{ tool_use: { name: 'bash', input: { command: 'cat notes/hello.txt' } } }] },
    { id: 'done', when: 'hello from the agent', reply: [{ text: 'The file is in place.' }] },
    { id: 'next', when: 'Anything else', reply: [{ text: 'No.' }] },
  ],
};

describe('anthropic agent', () => {
  it('runs tool calls in the workspace and sends their real results back to the model', async () => {
    const { agent, s } = await agentFor(writeThenCat);
    const res = await agent.turn({ promptId: 'p1', text: 'Create hello.txt with a greeting.' });

    expect(readFileSync(join(world.ws, 'notes/hello.txt'), 'utf8')).toBe('hello from the agent\n');
    expect(res.stopReason).toBe('end_turn');
    expect(res.text).toBe('The file is in place.');
    expect(s.requests).toHaveLength(3);
    expect(s.remaining()).toBe(1);

    // The third request carries the bash tool_result with the command's real output.
    const third = s.requests[2]!;
    const assistant = third.messages.at(-2) as { role: string; content: Array<{ type: string; id?: string }> };
    const toolUseId = assistant.content.find((b) => b.type === 'tool_use')?.id;
    expect(third.messages.at(-1)).toMatchObject({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: toolUseId, content: 'hello from the agent\n[exit code 0]', is_error: false }],
    });

    // Prompt caching: system prompt, last tool, and the conversation tail carry breakpoints.
    expect(third.stream).toBe(true);
    expect(third.system).toMatchObject([{ type: 'text', cache_control: { type: 'ephemeral' } }]);
    const tools = third.tools as Array<{ name: string; cache_control?: unknown }>;
    expect(tools.map((t) => t.name)).toContain('edit_file');
    expect(tools.at(-1)?.cache_control).toEqual({ type: 'ephemeral' });
    expect(tools.slice(0, -1).every((t) => t.cache_control === undefined)).toBe(true);

    expect(world.sink.events.map((e) => (e.type === 'tool_call' ? `${e.type}:${e.name}` : e.type))).toEqual([
      'agent_text',
      'agent_reply',
      'tool_call:write_file',
      'tool_result',
      'agent_reply',
      'tool_call:bash',
      'tool_result',
      'agent_text',
      'agent_reply',
    ]);
    expect(world.sink.events.every((e) => 'turn' in e && e.turn === 1)).toBe(true);
    expect(world.sink.events[5]).toMatchObject({ type: 'tool_call', input: { command: 'cat notes/hello.txt' } });
    expect(world.sink.events[6]).toMatchObject({ type: 'tool_result', output: 'hello from the agent\n[exit code 0]', isError: false });

    expect(res.usage.inputTokens).toBeGreaterThan(0);
    expect(res.usage.outputTokens).toBeGreaterThan(0);
    expect(res.costUsd).toBeCloseTo(priceOf(MODEL, res.usage), 10);
  });

  it('keeps the conversation across turns and numbers them', async () => {
    const { agent, s } = await agentFor(writeThenCat);
    await agent.turn({ promptId: 'p1', text: 'Create hello.txt with a greeting.' });
    const second = await agent.turn({ promptId: 'p2', text: 'Anything else?' });
    expect(second.text).toBe('No.');
    const last = s.requests.at(-1)!;
    expect(last.messages).toHaveLength(7);
    expect(last.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user']);
    expect(world.sink.events.at(-2)).toMatchObject({ type: 'agent_text', turn: 2, text: 'No.' });
    expect(world.sink.events.at(-1)).toMatchObject({ type: 'agent_reply', turn: 2, stopReason: 'end_turn', content: [{ type: 'text', text: 'No.' }] });
  });

  it('sums usage over the loop, cache tokens included', async () => {
    const { agent } = await agentFor({
      turns: [
        { reply: [{ tool_use: { name: 'bash', input: { command: 'true' } } }], usage: { input_tokens: 100, output_tokens: 10, cache_creation_input_tokens: 1000 } },
        { reply: [{ text: 'ok' }], usage: { input_tokens: 50, output_tokens: 5, cache_read_input_tokens: 1000 } },
      ],
    });
    const res = await agent.turn({ promptId: 'p', text: 'go' });
    expect(res.usage).toEqual({ inputTokens: 150, outputTokens: 15, cacheWriteTokens: 1000, cacheReadTokens: 1000 });
    expect(res.costUsd).toBeCloseTo((150 * 3 + 15 * 15 + 1000 * 3.75 + 1000 * 0.3) / 1e6, 10);
  });

  it('asks again when the response stream breaks off mid-message, and logs a notice', async () => {
    const { agent, s } = await agentFor({
      turns: [
        { when: 'go', reply: [{ text: 'first part of a reply that will be cut off' }], fault: { torn: true, times: 1 } },
        { when: 'overloaded', reply: [{ text: 'served after 529' }], fault: { status: 529, times: 1, retryAfterMs: 10 } },
      ],
    });
    const res = await agent.turn({ promptId: 'p', text: 'go' });
    expect(res.text).toBe('first part of a reply that will be cut off');
    expect(s.requests).toHaveLength(2);
    expect(world.sink.events.map((e) => e.type)).toEqual(['notice', 'agent_text', 'agent_reply']);
    expect(world.sink.events[0]).toMatchObject({ level: 'warn', message: expect.stringContaining('broke off') });

    // HTTP faults are retried by the SDK itself; each failed attempt is a notice.
    const again = await agent.turn({ promptId: 'p2', text: 'overloaded?' });
    expect(again.text).toBe('served after 529');
    const notices = world.sink.events.filter((e) => e.type === 'notice');
    expect(notices).toHaveLength(2);
    expect(notices[1]).toMatchObject({ level: 'warn', message: 'the Messages API answered 529 (overloaded); failed attempt 1' });
  });

  it('answers a tool call left by a reply cut at max_tokens, so the next turn is valid', async () => {
    const { agent, s } = await agentFor({
      turns: [
        { when: 'long', reply: [{ text: 'Writing it all' }, { tool_use: { name: 'write_file', input: { path: 'x' } } }], stop_reason: 'max_tokens' },
        { when: 'shorter', reply: [{ text: 'ok' }] },
      ],
    });
    expect((await agent.turn({ promptId: 'p1', text: 'long file please' })).stopReason).toBe('max_tokens');
    await agent.turn({ promptId: 'p2', text: 'shorter please' });
    const last = s.requests.at(-1)!;
    expect(last.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(last.messages[2]).toMatchObject({
      content: [{ type: 'tool_result', is_error: true, content: 'not run: the reply stopped (max_tokens)' }, { type: 'text', text: 'shorter please' }],
    });
  });

  it('ends the turn after maxToolRounds tool rounds', async () => {
    const { agent, s } = await agentFor(
      { turns: [{ reply: [{ tool_use: { name: 'bash', input: { command: 'echo again' } } }], repeat: true }] },
      { maxToolRounds: 2 },
    );
    const res = await agent.turn({ promptId: 'p', text: 'loop' });
    expect(res.stopReason).toBe('max_tool_rounds');
    expect(s.requests).toHaveLength(2);
  });

  it('stops a streaming turn on abort and stays usable afterwards', async () => {
    const { agent, s } = await agentFor({
      turns: [
        { when: 'slow', reply: [{ text: 'a long answer that streams slowly' }], delayMs: 200 },
        { when: 'quick', reply: [{ text: 'quick answer' }] },
      ],
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 150);
    const aborted = await agent.turn({ promptId: 'p1', text: 'slow please', signal: ac.signal });
    expect(aborted.stopReason).toBe('aborted');

    const next = await agent.turn({ promptId: 'p2', text: 'quick please' });
    expect(next.text).toBe('quick answer');
    // The aborted prompt and the new one merge into one user message: roles still alternate.
    const last = s.requests.at(-1)!;
    expect(last.messages).toHaveLength(1);
    expect(last.messages[0]).toMatchObject({ role: 'user', content: [{ text: 'slow please' }, { text: 'quick please' }] });
  });

  it('reports a missing key and an unreachable server as environment errors', async () => {
    expect(() => createAgentFromEnv({ model: MODEL, system: '', workspace: world.ws, sink: world.sink, env: {} })).toThrow(EnvironmentError);
    expect(() => createAgentFromEnv({ model: MODEL, system: '', workspace: world.ws, sink: world.sink, env: {} })).toThrow(
      'ANTHROPIC_API_KEY is not set: export it, or point ANTHROPIC_BASE_URL at a stand-in',
    );

    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const url = `http://127.0.0.1:${port}`;
    const agent = createAnthropicAgent({
      apiKey: 'k',
      baseURL: url,
      model: MODEL,
      system: 's',
      tools: createToolSet({ workspace: world.ws }),
      sink: world.sink,
      maxRetries: 0,
    });
    const err = await agent.turn({ promptId: 'p', text: 'hi' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as Error).message).toBe(`cannot reach the Messages API at ${url}: ECONNREFUSED`);
  });
});
