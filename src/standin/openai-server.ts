import type { ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ScriptedTurn } from './session-schema.js';
import { parseWith, startScriptedServer, type Dialect, type ErrorKind, type ScriptedServer, type ScriptedServerOptions } from './scripted-server.js';
import { chunk, estimateTokens } from './wire.js';

/**
 * A local server that speaks OpenAI's chat completions API (POST /v1/chat/completions, plain
 * JSON and streamed chunks with tool calls and a final usage chunk), playing the same scripted
 * sessions as the Messages API stand-in. vLLM, llama.cpp and Ollama serve this same API.
 */

const ChatMessage = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string() })), z.null()]).optional(),
});
export const ChatRequest = z.looseObject({
  model: z.string().min(1),
  messages: z.array(ChatMessage).min(1),
  stream: z.boolean().optional(),
});
export type ChatRequest = z.infer<typeof ChatRequest>;
export type OpenAIStandin = ScriptedServer<ChatRequest>;

const textOf = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content.map((p: { text?: unknown }) => (typeof p.text === 'string' ? p.text : '')).join('\n')
      : '';

/** The user and tool messages after the last assistant message, joined by newlines. */
export function latestChatText(body: ChatRequest): string {
  const out: string[] = [];
  for (let i = body.messages.length - 1; i >= 0; i--) {
    const m = body.messages[i]!;
    if (m.role === 'assistant') break;
    if (m.role === 'user' || m.role === 'tool') out.unshift(textOf(m.content));
  }
  return out.filter(Boolean).join('\n');
}

const id = (prefix: string) => `${prefix}-${randomBytes(12).toString('base64url')}`;

interface Rendered {
  text: string;
  toolCalls: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
  finish: 'stop' | 'tool_calls' | 'length';
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

function render(turn: ScriptedTurn, requestChars: number): Rendered {
  const text = turn.reply.flatMap((b) => ('text' in b ? [b.text] : [])).join('\n');
  const toolCalls = turn.reply.flatMap((b) =>
    'tool_use' in b ? [{ id: id('call'), type: 'function' as const, function: { name: b.tool_use.name, arguments: JSON.stringify(b.tool_use.input) } }] : [],
  );
  const finish = turn.stop_reason === 'max_tokens' ? 'length' : turn.stop_reason === 'end_turn' || toolCalls.length === 0 ? 'stop' : 'tool_calls';
  const prompt = turn.usage?.input_tokens ?? estimateTokens(requestChars);
  const completion = turn.usage?.output_tokens ?? estimateTokens(JSON.stringify(turn.reply).length);
  return { text, toolCalls, finish, usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } };
}

const STATUS: Record<Exclude<ErrorKind, 429 | 500 | 529>, [number, string, string]> = {
  invalid: [400, 'invalid_request_error', 'invalid_request'],
  auth: [401, 'invalid_request_error', 'invalid_api_key'],
  not_found: [404, 'invalid_request_error', 'not_found'],
  server: [500, 'server_error', 'server_error'],
};

function sendError(res: ServerResponse, kind: ErrorKind, message: string, headers: Record<string, string> = {}): void {
  const [status, type, code] =
    typeof kind === 'number' ? [kind, kind === 429 ? 'rate_limit_exceeded' : 'server_error', kind === 429 ? 'rate_limit_exceeded' : 'server_error'] : STATUS[kind];
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ error: { message, type, param: null, code } }));
}

const openaiDialect: Dialect<ChatRequest> = {
  path: '/v1/chat/completions',
  authorized: (req) => /^Bearer \S+/.test(req.headers.authorization ?? ''),
  parse: parseWith(ChatRequest),
  latestText: latestChatText,
  streams: (body) => body.stream === true,
  sendError,
  message(turn, body, requestChars) {
    const r = render(turn, requestChars);
    return {
      id: id('chatcmpl'),
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content: r.text || null, ...(r.toolCalls.length ? { tool_calls: r.toolCalls } : {}) }, finish_reason: r.finish, logprobs: null }],
      usage: r.usage,
    };
  },
  frames(turn, body, requestChars) {
    const r = render(turn, requestChars);
    const base = { id: id('chatcmpl'), object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: body.model };
    const frame = (choices: unknown[], extra: Record<string, unknown> = {}) => `data: ${JSON.stringify({ ...base, choices, ...extra })}\n\n`;
    const delta = (d: Record<string, unknown>, finish: string | null = null) => frame([{ index: 0, delta: d, finish_reason: finish, logprobs: null }]);
    const frames = [delta({ role: 'assistant', content: '' })];
    if (r.text) for (const piece of chunk(r.text, 3)) frames.push(delta({ content: piece }));
    r.toolCalls.forEach((call, index) => {
      frames.push(delta({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }));
      for (const piece of chunk(call.function.arguments, 3)) frames.push(delta({ tool_calls: [{ index, function: { arguments: piece } }] }));
    });
    frames.push(delta({}, r.finish));
    // Sent when the client asks for stream_options.include_usage, as LangChain does.
    if ((body as { stream_options?: { include_usage?: boolean } }).stream_options?.include_usage) frames.push(frame([], { usage: r.usage }));
    frames.push('data: [DONE]\n\n');
    return frames;
  },
  malformedFrame: 'data: {"id":"chatcmpl-x","choices":[{"index":0,"delta":{"content":\n\n',
};

export function startOpenAIStandin(opts: ScriptedServerOptions): Promise<OpenAIStandin> {
  return startScriptedServer(openaiDialect, opts);
}
