import type { EventInput, Usage } from '../events/schema.js';
import type { Agent, AgentTurnRequest, AgentTurnResult, EventSink } from '../ports.js';
import type { Redactor } from '../runs/redact.js';
import { priceOf } from './pricing.js';
import type { ToolSet } from './tools/index.js';

/**
 * The tool-use loop every backend shares: send the prompt, run the tool calls of each reply
 * through the ToolSet, send their results back, until the model ends its turn. A backend only
 * translates a conversation to and from its provider's wire format.
 */

export interface ToolCall {
  id: string;
  name: string;
  input: unknown;
}

export interface ModelReply {
  /** The reply's text, its blocks joined by newlines ('' when it only calls tools). */
  text: string;
  toolCalls: ToolCall[];
  /** `tool_use` when the model waits for tool results; otherwise why it stopped. */
  stopReason: string;
  usage: Usage;
}

export interface ToolOutcome {
  call: ToolCall;
  output: string;
  isError: boolean;
}

export interface ChatBackend {
  /** Appends the user's prompt to the conversation. */
  addPrompt(text: string): void;
  /** The model's next reply to the conversation, which it appends; `aborted` when the signal fired. */
  next(turn: number, signal?: AbortSignal): Promise<ModelReply | 'aborted'>;
  /** Appends the results of the last reply's tool calls: every call answered, in order. */
  addToolResults(results: ToolOutcome[]): void;
}

/** What every backend's constructor takes, besides its provider's key and address. */
export interface BackendOptions {
  apiKey?: string;
  baseURL?: string;
  model: string;
  system: string;
  tools: ToolSet;
  sink: EventSink;
  maxTokens?: number;
  /** Tool rounds allowed in one turn before it is ended with stop reason `max_tool_rounds`. */
  maxToolRounds?: number;
  /** Retries of a failed request (429, 5xx, 529, timeouts), with backoff (default 4). */
  maxRetries?: number;
  /** Wait for a response to begin, and longest silence inside a stream (default 10 minutes). */
  timeoutMs?: number;
  /** Masks secrets in everything sent to the model (default: from process.env). */
  redactor?: Redactor;
}

export interface ToolLoopOptions {
  name: string;
  model: string;
  backend: ChatBackend;
  tools: ToolSet;
  sink: EventSink;
  redactor: Redactor;
  /** Tool rounds allowed in one turn before it is ended with stop reason `max_tool_rounds`. */
  maxToolRounds?: number;
}

const zeroUsage = (): Usage => ({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });

/** Pulls a turn's events one at a time, appending each to the sink before pulling the next. */
export async function appendTurn(events: AsyncGenerator<EventInput, AgentTurnResult>, sink: EventSink): Promise<AgentTurnResult> {
  for (let next = await events.next(); ; next = await events.next()) {
    if (next.done) return next.value;
    sink.emit(next.value);
  }
}

export function createToolLoopAgent(o: ToolLoopOptions): Agent {
  const maxToolRounds = o.maxToolRounds ?? 40;
  let turns = 0;

  /**
   * The turn as a stream the caller pulls: each tool call and result is yielded as it happens
   * and the loop goes on only when the caller asks for the next, so whatever the caller decides
   * about an event (a trigger on a tool's output) comes before the events that follow it.
   */
  async function* run(req: AgentTurnRequest): AsyncGenerator<EventInput, AgentTurnResult> {
    const turnNo = ++turns;
    const usage = zeroUsage();
    let lastText = '';
    const result = (stopReason: string): AgentTurnResult => ({ stopReason, usage, costUsd: priceOf(o.model, usage), text: lastText });
    // Prompts quote command output: they may not carry a secret to the model.
    o.backend.addPrompt(o.redactor.redact(req.text));

    for (let round = 0; ; round++) {
      if (req.signal?.aborted) return result('aborted');
      const reply = await o.backend.next(turnNo, req.signal);
      if (reply === 'aborted') return result('aborted');
      usage.inputTokens += reply.usage.inputTokens;
      usage.outputTokens += reply.usage.outputTokens;
      usage.cacheReadTokens = (usage.cacheReadTokens ?? 0) + (reply.usage.cacheReadTokens ?? 0);
      usage.cacheWriteTokens = (usage.cacheWriteTokens ?? 0) + (reply.usage.cacheWriteTokens ?? 0);
      if (reply.text) lastText = reply.text;
      if (reply.stopReason !== 'tool_use') {
        // A reply cut at max_tokens may end in a tool call; answer it so the history stays valid.
        if (reply.toolCalls.length) {
          o.backend.addToolResults(reply.toolCalls.map((call) => ({ call, output: `not run: the reply stopped (${reply.stopReason})`, isError: true })));
        }
        return result(reply.stopReason);
      }

      // Every tool call must get its result, even when aborting, or the history is invalid.
      const results: ToolOutcome[] = [];
      for (const call of reply.toolCalls) {
        const input =
          typeof call.input === 'object' && call.input !== null && !Array.isArray(call.input) ? (call.input as Record<string, unknown>) : { value: call.input };
        yield { type: 'tool_call', turn: turnNo, callId: call.id, name: call.name, input };
        const r = req.signal?.aborted ? { output: 'aborted before running', isError: true } : await o.tools.execute(call.name, call.input, req.signal);
        const output = o.redactor.redact(r.output);
        yield { type: 'tool_result', turn: turnNo, callId: call.id, output, isError: r.isError };
        results.push({ call, output, isError: r.isError });
      }
      o.backend.addToolResults(results);
      if (req.signal?.aborted) return result('aborted');
      if (round + 1 >= maxToolRounds) return result('max_tool_rounds');
    }
  }

  /** The same turn, its events appended to the sink: for callers that do not pull. */
  const turn = (req: AgentTurnRequest): Promise<AgentTurnResult> => appendTurn(run(req), o.sink);

  return { name: o.name, model: o.model, turn, run };
}
