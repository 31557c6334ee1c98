import Anthropic, { type ClientOptions } from '@anthropic-ai/sdk';
import type { Usage } from '../events/schema.js';
import type { Agent, AgentTurnRequest, AgentTurnResult, EventSink } from '../ports.js';
import { EnvironmentError } from '../errors.js';
import { priceOf } from './pricing.js';
import type { ToolSet } from './tools/index.js';

/**
 * The Agent port over the Messages API: a streaming tool-use loop with the conversation kept
 * across turns. Text blocks are emitted as they complete; tool calls run through the ToolSet
 * and their results go back to the model until it ends its turn.
 */

export interface AnthropicAgentOptions {
  apiKey?: string;
  baseURL?: string;
  model: string;
  system: string;
  tools: ToolSet;
  sink: EventSink;
  maxTokens?: number;
  /** Tool rounds allowed in one turn before it is ended with stop reason `max_tool_rounds`. */
  maxToolRounds?: number;
  /** SDK retries for 429/5xx/connection errors (default 2). */
  maxRetries?: number;
  fetch?: ClientOptions['fetch'];
}

type MessageParam = Anthropic.MessageParam;
type ContentBlockParam = Anthropic.ContentBlockParam;
const EPHEMERAL = { type: 'ephemeral' } as const;
const DEFAULT_BASE_URL = 'https://api.anthropic.com';

/** Times a response stream that broke off mid-message is requested again. */
const STREAM_RETRIES = 2;

/** A stream that failed after its response began: a cut connection, or an error event mid-stream. */
const brokenStream = (err: unknown): boolean =>
  err instanceof Anthropic.AnthropicError &&
  !(err instanceof Anthropic.APIConnectionError) &&
  (!(err instanceof Anthropic.APIError) || err.status === undefined);

const zeroUsage = (): Usage => ({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });

/** The innermost error code of a fetch failure (ECONNREFUSED, ENOTFOUND, ...). */
function causeOf(err: unknown): string {
  let cur: unknown = err;
  let last = '';
  for (let depth = 0; cur && depth < 5; depth++) {
    const e = cur as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof e.code === 'string') return e.code;
    if (typeof e.message === 'string') last = e.message;
    cur = e.cause;
  }
  return last;
}

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
  if (!opts.apiKey) throw new EnvironmentError('ANTHROPIC_API_KEY is not set: export it, or point ANTHROPIC_BASE_URL at a stand-in');
  const baseURL = opts.baseURL ?? DEFAULT_BASE_URL;
  const client = new Anthropic({ apiKey: opts.apiKey, baseURL, maxRetries: opts.maxRetries, fetch: opts.fetch });
  const maxTokens = opts.maxTokens ?? 16_000;
  const maxToolRounds = opts.maxToolRounds ?? 40;
  const system: Anthropic.TextBlockParam[] = opts.system ? [{ type: 'text', text: opts.system, cache_control: EPHEMERAL }] : [];
  const tools: Anthropic.Tool[] = opts.tools.definitions.map((d, i, all) => ({
    name: d.name,
    description: d.description,
    input_schema: d.inputSchema as Anthropic.Tool.InputSchema,
    ...(i === all.length - 1 ? { cache_control: EPHEMERAL } : {}),
  }));
  const history: MessageParam[] = [];
  let turns = 0;

  /** Appends user content, merging into a trailing user message (left by an aborted or failed round). */
  const pushUser = (blocks: ContentBlockParam[]) => {
    const last = history.at(-1);
    if (last?.role === 'user') {
      const prior: ContentBlockParam[] = typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : last.content;
      last.content = [...prior, ...blocks];
    } else history.push({ role: 'user', content: blocks });
  };

  const translate = (err: unknown): unknown => {
    if (err instanceof Anthropic.APIConnectionError && !(err instanceof Anthropic.APIConnectionTimeoutError)) {
      return new EnvironmentError(`cannot reach the Messages API at ${baseURL}: ${causeOf(err) || err.message}`);
    }
    if (err instanceof Anthropic.AuthenticationError) {
      return new EnvironmentError(`the Messages API at ${baseURL} rejected the API key (401): check ANTHROPIC_API_KEY`);
    }
    return err;
  };

  async function turn(req: AgentTurnRequest): Promise<AgentTurnResult> {
    const turnNo = ++turns;
    const usage = zeroUsage();
    const result = (stopReason: string, text: string): AgentTurnResult => ({
      stopReason,
      usage,
      costUsd: priceOf(opts.model, usage),
      text,
    });
    let lastText = '';
    pushUser([{ type: 'text', text: req.text }]);

    for (let round = 0; ; round++) {
      if (req.signal?.aborted) return result('aborted', lastText);
      let msg: Anthropic.Message | undefined;
      for (let attempt = 0; !msg; attempt++) {
        try {
          const stream = client.messages.stream(
            { model: opts.model, max_tokens: maxTokens, system, tools, messages: withTailBreakpoint(history) },
            { signal: req.signal },
          );
          stream.on('contentBlock', (block) => {
            if (block.type === 'text' && block.text) opts.sink.emit({ type: 'agent_text', turn: turnNo, text: block.text });
          });
          msg = await stream.finalMessage();
        } catch (err) {
          if (err instanceof Anthropic.APIUserAbortError || req.signal?.aborted) return result('aborted', lastText);
          // The SDK retries failed requests, not streams that break off after the response began.
          if (!brokenStream(err) || attempt >= STREAM_RETRIES) throw translate(err);
          opts.sink.emit({
            type: 'notice',
            level: 'warn',
            message: `the model's response stream broke off (${(err as Error).message}); asking again (${attempt + 1}/${STREAM_RETRIES})`,
          });
        }
      }
      usage.inputTokens += msg.usage.input_tokens;
      usage.outputTokens += msg.usage.output_tokens;
      usage.cacheWriteTokens += msg.usage.cache_creation_input_tokens ?? 0;
      usage.cacheReadTokens += msg.usage.cache_read_input_tokens ?? 0;
      history.push({ role: 'assistant', content: msg.content.map(toParam) });
      const text = msg.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n');
      if (text) lastText = text;
      if (msg.stop_reason !== 'tool_use') {
        // A reply cut at max_tokens may end in a tool call; answer it so the history stays valid.
        const unanswered = msg.content.filter((b) => b.type === 'tool_use');
        if (unanswered.length) {
          pushUser(unanswered.map((b) => ({ type: 'tool_result', tool_use_id: b.id, content: `not run: the reply stopped (${msg.stop_reason})`, is_error: true })));
        }
        return result(msg.stop_reason ?? 'end_turn', lastText);
      }

      // Every tool_use must get its tool_result, even when aborting, or the history is invalid.
      const results: Anthropic.ToolResultBlockParam[] = [];
      for (const block of msg.content) {
        if (block.type !== 'tool_use') continue;
        const input =
          typeof block.input === 'object' && block.input !== null && !Array.isArray(block.input)
            ? (block.input as Record<string, unknown>)
            : { value: block.input };
        opts.sink.emit({ type: 'tool_call', turn: turnNo, callId: block.id, name: block.name, input });
        const r = req.signal?.aborted
          ? { output: 'aborted before running', isError: true }
          : await opts.tools.execute(block.name, block.input, req.signal);
        opts.sink.emit({ type: 'tool_result', turn: turnNo, callId: block.id, output: r.output, isError: r.isError });
        results.push({ type: 'tool_result', tool_use_id: block.id, content: r.output, is_error: r.isError });
      }
      pushUser(results);
      if (req.signal?.aborted) return result('aborted', lastText);
      if (round + 1 >= maxToolRounds) return result('max_tool_rounds', lastText);
    }
  }

  return { name: 'anthropic', model: opts.model, turn };
}
