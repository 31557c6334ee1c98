import Anthropic, { type ClientOptions } from '@anthropic-ai/sdk';
import type { Agent } from '../ports.js';
import { ANTHROPIC_KEY_MISSING } from './credentials.js';
import { EnvironmentError } from '../errors.js';
import { Redactor } from '../runs/redact.js';
import { brokenStream, noticingFetch, stallWatchdog, translateError } from './transport.js';
import { toolLoopAgentOf, type BackendOptions, type ChatBackend } from './tool-loop.js';
import type { ReplyBlock } from '../runs/conversation.js';

/**
 * The Agent port over the Messages API: the shared tool loop (tool-loop.ts) with a backend that
 * streams each reply through the SDK, keeps the conversation across turns with prompt-cache
 * breakpoints, and emits text blocks as they complete.
 */

export interface AnthropicAgentOptions extends BackendOptions {
  fetch?: ClientOptions['fetch'];
}

type MessageParam = Anthropic.MessageParam;
type ContentBlockParam = Anthropic.ContentBlockParam;
const EPHEMERAL = { type: 'ephemeral' } as const;
const DEFAULT_BASE_URL = 'https://api.anthropic.com';

/** Times a response stream that broke off mid-message is requested again. */
const STREAM_RETRIES = 2;
/** The SDK's default is 2; an overloaded API often needs a little longer. */
const DEFAULT_RETRIES = 4;

/** Assistant content as request params: only the fields the API accepts back. */
function toParam(block: Anthropic.ContentBlock): ContentBlockParam {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'tool_use':
      return { type: 'tool_use', id: block.id, name: block.name, input: block.input };
    default:
      return block as ContentBlockParam;
  }
}

/** The history with a cache breakpoint on the last block, so each round reuses the prefix. */
function withTailBreakpoint(history: MessageParam[]): MessageParam[] {
  const last = history.at(-1);
  if (!last) return history;
  const blocks: ContentBlockParam[] = typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : [...last.content];
  const tail = blocks.at(-1);
  if (tail && (tail.type === 'text' || tail.type === 'tool_result')) blocks[blocks.length - 1] = { ...tail, cache_control: EPHEMERAL };
  return [...history.slice(0, -1), { ...last, content: blocks } as MessageParam];
}


export function createAnthropicAgent(opts: AnthropicAgentOptions): Agent {
  if (!opts.apiKey) throw new EnvironmentError(ANTHROPIC_KEY_MISSING);
  const baseURL = opts.baseURL ?? DEFAULT_BASE_URL;
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const client = new Anthropic({
    apiKey: opts.apiKey,
    baseURL,
    maxRetries: opts.maxRetries ?? DEFAULT_RETRIES,
    timeout: timeoutMs,
    fetch: noticingFetch(opts.sink, opts.fetch),
    // Failures reach the run as notices and errors; the SDK's own console logging would only
    // repeat them (and print raw response data) on stderr.
    logLevel: 'off',
  });
  const redactor = opts.redactor ?? new Redactor(process.env);
  const maxTokens = opts.maxTokens ?? 16_000;
  const system: Anthropic.TextBlockParam[] = opts.system ? [{ type: 'text', text: redactor.redact(opts.system), cache_control: EPHEMERAL }] : [];
  const tools: Anthropic.Tool[] = opts.tools.definitions.map((d, i, all) => ({
    name: d.name,
    description: d.description,
    input_schema: d.inputSchema as Anthropic.Tool.InputSchema,
    ...(i === all.length - 1 ? { cache_control: EPHEMERAL } : {}),
  }));
  const history: MessageParam[] = [];

  /** Appends user content, merging into a trailing user message (left by an aborted or failed round). */
  const pushUser = (blocks: ContentBlockParam[]) => {
    const last = history.at(-1);
    if (last?.role === 'user') {
      const prior: ContentBlockParam[] = typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : last.content;
      last.content = [...prior, ...blocks];
    } else history.push({ role: 'user', content: blocks });
  };

  const backend: ChatBackend = {
    addPrompt: (text) => pushUser([{ type: 'text', text }]),
    addReply: (content) => history.push({ role: 'assistant', content: content.map((b) => ({ ...b }) as ContentBlockParam) }),
    addToolResults: (results) =>
      pushUser(results.map((r) => ({ type: 'tool_result', tool_use_id: r.call.id, content: r.output, is_error: r.isError }))),
    async next(turnNo, signal) {
      let msg: Anthropic.Message | undefined;
      for (let attempt = 0; !msg; attempt++) {
        const watchdog = stallWatchdog(timeoutMs, signal);
        try {
          const stream = client.messages.stream(
            { model: opts.model, max_tokens: maxTokens, system, tools, messages: withTailBreakpoint(history) },
            { signal: watchdog.signal },
          );
          stream.on('connect', watchdog.touch);
          stream.on('streamEvent', watchdog.touch);
          stream.on('contentBlock', (block) => {
            if (block.type === 'text' && block.text) opts.sink.emit({ type: 'agent_text', turn: turnNo, text: block.text });
          });
          msg = await stream.finalMessage();
        } catch (caught) {
          const err = watchdog.explain(caught);
          if (signal?.aborted) return 'aborted';
          // The SDK retries failed requests, not streams that break off after the response began.
          if (!brokenStream(err) || attempt >= STREAM_RETRIES) throw translateError(err, baseURL);
          opts.sink.emit({
            type: 'notice',
            level: 'warn',
            message: `the model's response stream broke off (${(err as Error).message}); asking again (${attempt + 1}/${STREAM_RETRIES})`,
          });
        } finally {
          watchdog.done();
        }
      }
      const content = redactor.deep(msg.content.map(toParam));
      history.push({ role: 'assistant', content });
      return {
        content: content.flatMap((b) => (b.type === 'text' || b.type === 'tool_use' ? [{ ...b }] : [])) as ReplyBlock[],
        text: msg.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n'),
        toolCalls: msg.content.flatMap((b) => (b.type === 'tool_use' ? [{ id: b.id, name: b.name, input: b.input }] : [])),
        stopReason: msg.stop_reason ?? 'end_turn',
        usage: {
          inputTokens: msg.usage.input_tokens,
          outputTokens: msg.usage.output_tokens,
          cacheWriteTokens: msg.usage.cache_creation_input_tokens ?? 0,
          cacheReadTokens: msg.usage.cache_read_input_tokens ?? 0,
        },
      };
    },
  };

  return toolLoopAgentOf('anthropic', opts, backend, redactor);
}
