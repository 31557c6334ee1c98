import { AIMessage, AIMessageChunk, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import type { Agent } from '../ports.js';
import { EnvironmentError } from '../errors.js';
import { Redactor } from '../runs/redact.js';
import { toolLoopAgentOf, type BackendOptions, type ChatBackend } from './tool-loop.js';
import { noticingFetch, stallWatchdog } from './transport.js';

/**
 * The Agent port over LangChain chat models with tool binding: OpenAI, and any server that
 * speaks OpenAI's chat completions (vLLM, llama.cpp, Ollama's /v1), chosen with
 * `--agent langchain:openai`. The tool loop and the tools are the ones the Anthropic agent
 * uses; this file only converts the conversation to LangChain messages and back.
 */

export interface LangChainAgentOptions extends BackendOptions {
  provider: 'openai';
}

/** Times a response stream that broke off mid-message is requested again. */
const STREAM_RETRIES = 2;

const STOP_REASONS: Record<string, string> = { stop: 'end_turn', tool_calls: 'tool_use', length: 'max_tokens', content_filter: 'refusal' };

export function createLangChainAgent(opts: LangChainAgentOptions): Agent {
  if (!opts.apiKey) throw new EnvironmentError('OPENAI_API_KEY is not set: export it, or point OPENAI_BASE_URL at a stand-in or a local server');
  const baseURL = opts.baseURL ?? 'https://api.openai.com/v1';
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const redactor = opts.redactor ?? new Redactor(process.env);
  /** The current attempt's watchdog starts counting when its response arrives. */
  let responded: (() => void) | undefined;
  const chat = new ChatOpenAI({
    model: opts.model,
    apiKey: opts.apiKey,
    configuration: { baseURL, fetch: noticingFetch(opts.sink, undefined, () => responded?.()) },
    maxTokens: opts.maxTokens,
    maxRetries: opts.maxRetries ?? 4,
    timeout: timeoutMs,
    streaming: true,
    streamUsage: true,
  });
  const model = chat.bindTools(
    opts.tools.definitions.map((d) => ({ type: 'function' as const, function: { name: d.name, description: d.description, parameters: d.inputSchema } })),
  );
  const history: BaseMessage[] = opts.system ? [new SystemMessage(redactor.redact(opts.system))] : [];

  async function once(signal?: AbortSignal): Promise<AIMessageChunk> {
    for (let attempt = 0; ; attempt++) {
      const watchdog = stallWatchdog(timeoutMs, signal);
      let reply: AIMessageChunk | undefined;
      responded = watchdog.touch;
      try {
        for await (const piece of await model.stream(history, { signal: watchdog.signal })) {
          watchdog.touch();
          reply = reply ? reply.concat(piece) : piece;
        }
        if (!reply) throw new Error('the stream ended without a message');
        return reply;
      } catch (caught) {
        const err = watchdog.explain(caught) as Error;
        if (signal?.aborted) throw err;
        // A request that failed before any answer was retried by LangChain already.
        if (!reply || attempt >= STREAM_RETRIES) throw new EnvironmentError(`the chat completions API at ${baseURL} failed: ${err.message}`);
        opts.sink.emit({ type: 'notice', level: 'warn', message: `the model's response stream broke off (${err.message}); asking again (${attempt + 1}/${STREAM_RETRIES})` });
      } finally {
        watchdog.done();
      }
    }
  }

  const backend: ChatBackend = {
    addPrompt: (text) => history.push(new HumanMessage(text)),
    addReply: (content) =>
      history.push(
        new AIMessage({
          content: content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join(''),
          tool_calls: content.flatMap((b) => (b.type === 'tool_use' ? [{ id: b.id, name: b.name, args: b.input as Record<string, unknown> }] : [])),
        }),
      ),
    addToolResults: (results) => {
      for (const r of results) history.push(new ToolMessage({ content: r.output, tool_call_id: r.call.id, status: r.isError ? 'error' : 'success' }));
    },
    async next(turnNo, signal) {
      let reply: AIMessageChunk;
      try {
        reply = await once(signal);
      } catch (err) {
        if (signal?.aborted) return 'aborted';
        throw err;
      }
      const text = typeof reply.content === 'string' ? reply.content : reply.content.map((p) => ('text' in p ? String(p.text) : '')).join('');
      const toolCalls = (reply.tool_calls ?? []).map((c, i) => ({ id: c.id ?? `call_${turnNo}_${i}`, name: c.name, input: c.args }));
      history.push(new AIMessage({ content: redactor.redact(text), tool_calls: toolCalls.map((c) => ({ id: c.id, name: c.name, args: redactor.deep(c.input) })) }));
      if (text) opts.sink.emit({ type: 'agent_text', turn: turnNo, text });
      const finish = String(reply.response_metadata?.finish_reason ?? (toolCalls.length ? 'tool_calls' : 'stop'));
      return {
        text,
        toolCalls,
        stopReason: STOP_REASONS[finish] ?? finish,
        usage: { inputTokens: reply.usage_metadata?.input_tokens ?? 0, outputTokens: reply.usage_metadata?.output_tokens ?? 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
      };
    },
  };

  return toolLoopAgentOf(`langchain:${opts.provider}`, opts, backend, redactor);
}
