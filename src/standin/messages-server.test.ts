import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { startMessagesStandin, type MessagesStandin } from './messages-server.js';
import type { ScriptedSessionInput } from './session-schema.js';

let standin: MessagesStandin | undefined;
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

const start = async (session: ScriptedSessionInput | string) => {
  standin = await startMessagesStandin({ session });
  return { s: standin, client: new Anthropic({ apiKey: 'test-key', baseURL: standin.url, maxRetries: 2 }) };
};

const ask = (text: string) => ({
  model: 'claude-sonnet-4-6',
  max_tokens: 1024,
  messages: [{ role: 'user' as const, content: text }],
});

const longText = 'The failing test is in tests/test_eval.py; it expects a success rate between 0 and 1.';
const toolInput = { command: 'pytest -x tests/test_eval.py', note: 'quotes " and \\ survive', n: [1, 2, 3] };
const toolTurn: ScriptedSessionInput = {
  turns: [{ id: 'look', reply: [{ text: longText }, { tool_use: { name: 'bash', input: toolInput } }] }],
};

describe('messages stand-in', () => {
  it('streams text and tool input in several deltas that the SDK accumulates exactly', async () => {
    const { s, client } = await start(toolTurn);
    const textDeltas: string[] = [];
    const jsonDeltas: string[] = [];
    const stream = client.messages.stream(ask('hi'));
    stream.on('text', (d) => textDeltas.push(d));
    stream.on('inputJson', (d) => jsonDeltas.push(d));
    const msg = await stream.finalMessage();

    expect(textDeltas.length).toBeGreaterThan(1);
    expect(jsonDeltas.length).toBeGreaterThan(1);
    expect(msg.id).toMatch(/^msg_/);
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.content[0]).toMatchObject({ type: 'text', text: longText });
    expect(msg.content[1]).toMatchObject({ type: 'tool_use', name: 'bash', input: toolInput });
    expect((msg.content[1] as { id: string }).id).toMatch(/^toolu_/);
    expect(msg.usage.input_tokens).toBeGreaterThan(10);
    expect(msg.usage.output_tokens).toBeGreaterThan(10);
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0]?.stream).toBe(true);
    expect(s.remaining()).toBe(0);
  });

  it('answers non-streaming requests with the Message shape', async () => {
    const { client } = await start({ turns: [{ reply: [{ text: 'done' }] }] });
    const msg = await client.messages.create(ask('hi'));
    expect(msg).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-6',
      content: [{ type: 'text', text: 'done' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
    });
    expect(msg.id).toMatch(/^msg_/);
  });

  it('picks the first unconsumed turn whose regex matches the latest user message', async () => {
    const { s, client } = await start({
      turns: [
        { id: 'a', when: 'first', reply: [{ text: 'A' }] },
        { id: 'b', when: 'second', reply: [{ text: 'B' }] },
        { id: 'any', when: 'again', reply: [{ text: 'R' }], repeat: true },
      ],
    });
    const textOf = async (q: string) => ((await client.messages.create(ask(q))).content[0] as { text: string }).text;
    expect(await textOf('the second one')).toBe('B');
    expect(await textOf('first please')).toBe('A');
    expect(await textOf('again')).toBe('R');
    expect(await textOf('again')).toBe('R');
    expect(s.remaining()).toBe(0);
  });

  it('matches tool_result contents of the latest user message', async () => {
    const { client } = await start({ turns: [{ when: 'exit code 1', reply: [{ text: 'saw it' }] }] });
    const msg = await client.messages.create({
      ...ask(''),
      messages: [
        { role: 'user', content: 'run it' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'bash', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'boom\n[exit code 1]' }] },
      ],
    });
    expect(msg.content[0]).toMatchObject({ text: 'saw it' });
  });

  it('answers 400 invalid_request_error when no turn matches', async () => {
    const { client } = await start({ turns: [{ when: 'nope', reply: [{ text: 'x' }] }] });
    const err = await client.messages.create(ask('something else')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    const apiErr = err as InstanceType<typeof Anthropic.BadRequestError>;
    expect(apiErr.status).toBe(400);
    expect(apiErr.error).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'stand-in: no scripted turn matches the latest message: something else' },
    });
  });

  it('answers 401 authentication_error without an x-api-key header', async () => {
    const { s } = await start(toolTurn);
    const res = await fetch(`${s.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ask('hi')),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });

  it('plays an overloaded fault the SDK retries, then answers normally', async () => {
    const { s, client } = await start({
      turns: [{ reply: [{ text: 'after retry' }], fault: { status: 529, times: 1, retryAfterMs: 20 } }],
    });
    const msg = await client.messages.stream(ask('hi')).finalMessage();
    expect(msg.content[0]).toMatchObject({ text: 'after retry' });
    expect(s.requests).toHaveLength(2);
  });

  it('returns the real rate-limit error once retries are exhausted', async () => {
    const { s } = await start({ turns: [{ reply: [{ text: 'x' }], fault: { status: 429, times: 5 } }] });
    const client = new Anthropic({ apiKey: 'k', baseURL: s.url, maxRetries: 0 });
    const err = await client.messages.create(ask('hi')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect(s.remaining()).toBe(1);
  });

  it('cuts a torn stream mid-message so the SDK reports an error', async () => {
    const { client } = await start({ turns: [{ reply: [{ text: longText }], fault: { torn: true } }] });
    await expect(client.messages.stream(ask('hi')).finalMessage()).rejects.toThrow();
    // The fault is spent: the next request gets the whole reply.
    const msg = await client.messages.stream(ask('hi')).finalMessage();
    expect(msg.content[0]).toMatchObject({ text: longText });
  });

  it('loads a YAML session file and reports bad ones with file:line:col', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'standin-'));
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'turns:\n  - when: "hello"\n    reply:\n      - text: "hi there"\n');
    const { client } = await start(good);
    const msg = await client.messages.create(ask('hello'));
    expect(msg.content[0]).toMatchObject({ text: 'hi there' });

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'turns:\n  - when: "("\n    reply:\n      - text: "x"\n');
    await expect(startMessagesStandin({ session: bad })).rejects.toThrow(InputError);
    await expect(startMessagesStandin({ session: bad })).rejects.toThrow(`${bad}:2:11: turns.0.when: not a valid JavaScript regular expression`);
  });

  it('sends a malformed SSE event, which the SDK rejects, then the whole reply', async () => {
    const { client } = await start({ turns: [{ reply: [{ text: longText }], fault: { malformed: true } }] });
    const err = await client.messages.stream(ask('hi')).finalMessage().catch((e: unknown) => e);
    expect((err as Error).cause).toBeInstanceOf(SyntaxError);
    const msg = await client.messages.stream(ask('hi')).finalMessage();
    expect(msg.content[0]).toMatchObject({ text: longText });
  });

  it('answers a non-streaming request with a body that is not JSON', async () => {
    const { s } = await start({ turns: [{ reply: [{ text: 'x' }], fault: { malformed: true } }] });
    const res = await fetch(`${s.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'k' }, body: JSON.stringify(ask('hi')) });
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow(SyntaxError);
  });

  it('leaves a request unanswered until the client times out, and retries succeed', async () => {
    const { s } = await start({ turns: [{ reply: [{ text: 'late' }], fault: { timeout: true, times: 1 } }] });
    const client = new Anthropic({ apiKey: 'k', baseURL: s.url, maxRetries: 1, timeout: 300 });
    const t0 = Date.now();
    const msg = await client.messages.create(ask('hi'));
    expect(msg.content[0]).toMatchObject({ text: 'late' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(s.requests).toHaveLength(2);
  });

  it('stalls a stream after its first events, with the connection left open', async () => {
    const { s } = await start({ turns: [{ reply: [{ text: longText }], fault: { stall: true } }] });
    const ac = new AbortController();
    const res = await fetch(`${s.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'k' }, body: JSON.stringify({ ...ask('hi'), stream: true }), signal: ac.signal });
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('event: message_start');
    const next = await Promise.race([reader.read().then(() => 'data'), new Promise((r) => setTimeout(() => r('silence'), 300))]);
    expect(next).toBe('silence');
    ac.abort();
  });

  it('rejects a fault that is two things at once', async () => {
    await expect(startMessagesStandin({ session: { turns: [{ reply: [{ text: 'x' }], fault: { torn: true, timeout: true } }] } })).rejects.toThrow();
  });
});
