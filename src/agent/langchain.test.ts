import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useAgentWorld } from '../../tests/helpers/agent-world.js';
import { EnvironmentError, InputError } from '../errors.js';
import { Redactor } from '../runs/redact.js';
import { startOpenAIStandin, type OpenAIStandin } from '../standin/openai-server.js';
import type { Fault, ScriptedSessionInput } from '../standin/session-schema.js';
import { createAgentFromEnv } from './index.js';

const world = useAgentWorld<OpenAIStandin>('langchain-ws-');

async function agentFor(session: ScriptedSessionInput, env: Record<string, string> = {}) {
  world.standin = await startOpenAIStandin({ session });
  const fullEnv = { OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: `${world.standin.url}/v1`, LABPILOT_API_TIMEOUT_MS: '500', LABPILOT_API_RETRIES: '1', ...env };
  const agent = createAgentFromEnv({ name: 'langchain:openai', model: 'gpt-4o-mini', system: 'You edit code.', workspace: world.ws, sink: world.sink, env: fullEnv, redactor: new Redactor(fullEnv) });
  return { agent, s: world.standin };
}

const writeThenCat: ScriptedSessionInput = {
  turns: [
    {
      id: 'write',
      when: 'Create hello.txt',
      reply: [{ text: 'I will create the file, then check it.' }, { tool_use: { name: 'write_file', input: { path: 'notes/hello.txt', content: 'hello from the agent\n' } } }],
      usage: { input_tokens: 120, output_tokens: 30 },
    },
    { id: 'cat', when: 'wrote \\d+ bytes', reply: [{ tool_use: { name: 'bash', input: { command: 'cat notes/hello.txt' } } }] },
    { id: 'done', when: 'hello from the agent', reply: [{ text: 'The file is in place.' }] },
  ],
};

describe('langchain:openai agent', () => {
  it('runs the shared tool loop over streamed chat completions with tool calls', async () => {
    const { agent, s } = await agentFor(writeThenCat);
    expect(agent.name).toBe('langchain:openai');
    const res = await agent.turn({ promptId: 'p1', text: 'Create hello.txt with a greeting.' });

    expect(readFileSync(join(world.ws, 'notes/hello.txt'), 'utf8')).toBe('hello from the agent\n');
    expect(res).toMatchObject({ stopReason: 'end_turn', text: 'The file is in place.' });
    expect(s.requests).toHaveLength(3);
    const third = s.requests[2]!;
    expect(third.stream).toBe(true);
    expect(third.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'tool']);
    expect(third.messages.at(-1)).toMatchObject({ role: 'tool', content: 'hello from the agent\n[exit code 0]' });
    expect((third as { tools?: Array<{ function: { name: string } }> }).tools?.map((t) => t.function.name)).toContain('edit_file');

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
    expect(res.usage.inputTokens).toBeGreaterThanOrEqual(120);
    expect(res.usage.outputTokens).toBeGreaterThanOrEqual(30);
    expect(res.costUsd).toBeGreaterThan(0);
  });

  it.each<[string, Omit<Fault, 'times' | 'retryAfterMs'>]>([
    ['a 500', { status: 500 }],
    ['a 429', { status: 429 }],
    ['a torn stream', { torn: true }],
    ['a malformed chunk', { malformed: true }],
    ['a stalled stream', { stall: true }],
  ])('finishes the turn after %s', async (_name, fault) => {
    const { agent, s } = await agentFor({ turns: [{ reply: [{ text: 'the reply' }], fault: { ...fault, times: 1 } }] });
    expect((await agent.turn({ promptId: 'p', text: 'go' })).text).toBe('the reply');
    expect(s.requests).toHaveLength(2);
    expect(world.sink.events.some((e) => e.type === 'notice')).toBe(true);
  });

  it('fails the turn with an environment error when the fault persists', async () => {
    const { agent } = await agentFor({ turns: [{ reply: [{ text: 'never' }], fault: { status: 500, times: 20 } }] });
    const err = await agent.turn({ promptId: 'p', text: 'go' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
  });

  it('needs a key, and names the backends it knows', () => {
    expect(() => createAgentFromEnv({ name: 'langchain:openai', model: 'm', system: '', workspace: world.ws, sink: world.sink, env: {} })).toThrow(EnvironmentError);
    expect(() => createAgentFromEnv({ name: 'langchain:cohere', model: 'm', system: '', workspace: world.ws, sink: world.sink, env: {} })).toThrow(InputError);
  });
});
