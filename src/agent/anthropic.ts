import Anthropic, { type ClientOptions } from '@anthropic-ai/sdk';
import type { Usage } from '../events/schema.js';
import type { Agent, AgentTurnRequest, AgentTurnResult, EventSink } from '../ports.js';
import { EnvironmentError } from '../errors.js';
import { Redactor } from '../runs/redact.js';
import { priceOf } from './pricing.js';
import type { ToolSet } from './tools/index.js';
import { brokenStream, noticingFetch, stallWatchdog, translateError } from './transport.js';

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
  /** SDK retries for 429/5xx/529/timeouts, with backoff (default 4). */
  maxRetries?: number;
  /** Wait for a response to begin, and longest silence inside a stream (default 10 minutes). */
  timeoutMs?: number;
  fetch?: ClientOptions['fetch'];
  /** Masks secrets in everything sent to the model (default: from process.env). */
  redactor?: Redactor;
}

type MessageParam = Anthropic.MessageParam;
type ContentBlockParam = Anthropic.ContentBlockParam;
const EPHEMERAL = { type: 'ephemeral' } as const;
const DEFAULT_BASE_URL = 'https://api.anthropic.com';

/** Times a response stream that broke off mid-message is requested again. */
const STREAM_RETRIES = 2;
/** The SDK's default is 2; an overloaded API often needs a little longer. */
const DEFAULT_RETRIES = 4;

const zeroUsage = (): Usage => ({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });

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
  const maxToolRounds = opts.maxToolRounds ?? 40;
  const system: Anthropic.TextBlockParam[] = opts.system ? [{ type: 'text', text: redactor.redact(opts.system), cache_control: EPHEMERAL }] : [];
  const tools: Anthropic.Tool[] = opts.tools.definitions.map((d, i, all) => ({
    name: d.name,
    description: d.description,
    input_schema: d.inputSchema as Anthropic.Tool.InputSchema,
    ...(i === all.length - 1 ? { cache_control: EPHEMERAL } : {}),
  }));
  const history: MessageParam[] = [];
  let turns = 0;

  /** Appends user content, merging into a trailing user message (left by an aborted or failed round). */
  const pushUser = (raw: ContentBlockParam[]) => {
    // Prompts quote command output and tool results hold file text: neither may carry a secret.
    const blocks = redactor.deep(raw);
    const last = history.at(-1);
    if (last?.role === 'user') {
      const prior: ContentBlockParam[] = typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : last.content;
      last.content = [...prior, ...blocks];
    } else history.push({ role: 'user', content: blocks });
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
        const watchdog = stallWatchdog(timeoutMs, req.signal);
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
          if (req.signal?.aborted) return result('aborted', lastText);
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
      usage.inputTokens += msg.usage.input_tokens;
      usage.outputTokens += msg.usage.output_tokens;
      usage.cacheWriteTokens += msg.usage.cache_creation_input_tokens ?? 0;
      usage.cacheReadTokens += msg.usage.cache_read_input_tokens ?? 0;
      history.push({ role: 'assistant', content: redactor.deep(msg.content.map(toParam)) });
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
