import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useAgentWorld } from '../../tests/helpers/agent-world.js';
import { Redactor } from '../runs/redact.js';
import { startMessagesStandin, type MessagesStandin } from '../standin/messages-server.js';
import type { ScriptedSessionInput } from '../standin/session-schema.js';
import { createAnthropicAgent } from './anthropic.js';
import { createToolSet } from './tools/index.js';

const world = useAgentWorld<MessagesStandin>('agent-faults-');

async function agentFor(session: ScriptedSessionInput, env: Record<string, string> = {}) {
  world.standin = await startMessagesStandin({ session });
  const redactor = new Redactor(env);
  const agent = createAnthropicAgent({
    apiKey: 'test-key',
    baseURL: world.standin.url,
    model: 'claude-sonnet-4-6',
    system: 'You edit code.',
    tools: createToolSet({ workspace: world.ws, commandTimeoutMs: 10_000, inherit: env, redactor }),
    sink: world.sink,
    maxRetries: 2,
    timeoutMs: 400,
    redactor,
  });
  return { agent, s: world.standin };
}

const notices = () => world.sink.events.flatMap((e) => (e.type === 'notice' ? [e.message] : []));

describe('anthropic agent under faults', () => {
  it.each([
    ['a malformed event', { malformed: true }, /broke off .*JSON/],
    ['a stalled stream', { stall: true }, /broke off \(no data for 400ms\)/],
    ['no answer at all', { timeout: true }, undefined],
    ['a 500', { status: 500 as const }, /answered 500 \(server error\)/],
  ])('finishes the turn after %s', async (_name, fault, notice) => {
    const { agent, s } = await agentFor({ turns: [{ reply: [{ text: 'the reply' }], fault: { ...fault, times: 1 } }] });
    const res = await agent.turn({ promptId: 'p', text: 'go' });
    expect(res.text).toBe('the reply');
    expect(s.requests).toHaveLength(2);
    if (notice) expect(notices().some((m) => notice.test(m))).toBe(true);
  });

  it.each([
    ['overloaded', { status: 529 as const }, 'the Messages API answered 529 after retries'],
    ['malformed', { malformed: true }, 'the Messages API sent malformed JSON'],
    ['silent', { timeout: true }, 'did not answer in time, after retries'],
    ['stalled', { stall: true }, 'no data for 400ms'],
  ])('fails the turn with a clear error when the fault persists (%s)', async (_name, fault, message) => {
    const { agent } = await agentFor({ turns: [{ reply: [{ text: 'never' }], fault: { ...fault, times: 20 } }] });
    const err = await agent.turn({ promptId: 'p', text: 'go' }).catch((e: unknown) => e);
    expect((err as Error).message).toContain(message);
  });
});

describe('anthropic agent and secrets', () => {
  const secret = 'modal-secret-value-0123';
  const keyShaped = ['hf_', 'AbCdEfGhIjKlMnOpQrStUvWx'].join('');

  it('sends the model no secret: not in prompts, tool results, or its own echoed text', async () => {
    writeFileSync(join(world.ws, 'config.env'), `HF_TOKEN=${keyShaped}\n`);
    const { agent, s } = await agentFor(
      {
        turns: [
          { when: 'look', reply: [{ tool_use: { name: 'read_file', input: { path: 'config.env' } } }] },
          { when: 'HF_TOKEN', reply: [{ tool_use: { name: 'bash', input: { command: 'grep -r HF_TOKEN . ; cat config.env' } } }] },
          { when: 'exit code', reply: [{ text: `I found ${secret} in the output.` }] },
        ],
      },
      { MODAL_TOKEN_SECRET: secret },
    );
    await agent.turn({ promptId: 'p', text: `look at the config; the last run printed ${secret}` });
    const wire = JSON.stringify(s.requests);
    expect(wire).not.toContain(secret);
    expect(wire).not.toContain(keyShaped);
    expect(wire).toContain('HF_TOKEN=[REDACTED]');
    await agent.turn({ promptId: 'p2', text: 'and now?' }).catch(() => undefined);
    expect(JSON.stringify(s.requests)).not.toContain(secret);
  });

  it('refuses a tool call that carries a secret, so it is neither run nor written', async () => {
    const { agent } = await agentFor(
      {
        turns: [
          { when: 'save', reply: [{ tool_use: { name: 'write_file', input: { path: 'k.txt', content: keyShaped } } }] },
          { when: 'refused', reply: [{ text: 'ok' }] },
        ],
      },
      {},
    );
    await agent.turn({ promptId: 'p', text: 'save the key' });
    const result = world.sink.events.find((e) => e.type === 'tool_result');
    expect(result).toMatchObject({ isError: true, output: expect.stringContaining('holds a secret') });
  });
});
