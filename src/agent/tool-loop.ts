import type { EventInput, Usage } from '../events/schema.js';
import type { Agent, AgentTurnRequest, AgentTurnResult, EventSink } from '../ports.js';
import type { Redactor } from '../runs/redact.js';
import { priceOf } from './pricing.js';
import { addUsage, notRun, zeroUsage, type Conversation, type ReplyBlock } from '../runs/conversation.js';
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
  /** The reply's blocks in order, as logged (`agent_reply`); text then tool calls when absent. */
  content?: ReplyBlock[];
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
  /** Appends a reply the model gave before (a conversation rebuilt from the run log). */
  addReply(content: ReplyBlock[]): void;
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
  /** The conversation so far, rebuilt from the run log of a resumed run. */
  conversation?: Conversation;
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
  conversation?: Conversation;
}

/** Rebuilds the backend's history from the log; returns the turns already started. */
function restore(backend: ChatBackend, c: Conversation | undefined): number {
  for (const item of c?.items ?? []) {
    if (item.kind === 'prompt') backend.addPrompt(item.text);
    else if (item.kind === 'reply') backend.addReply(item.content);
    else backend.addToolResults(item.results.map((r) => ({ call: { id: r.callId, name: r.name, input: r.input }, output: r.output, isError: r.isError })));
  }
  return c?.turns ?? 0;
}

/** Pulls a turn's events one at a time, appending each to the sink before pulling the next. */
export async function appendTurn(events: AsyncGenerator<EventInput, AgentTurnResult>, sink: EventSink): Promise<AgentTurnResult> {
  for (let next = await events.next(); ; next = await events.next()) {
    if (next.done) return next.value;
    sink.emit(next.value);
  }
}

/** A backend's agent: the shared loop over its wire format, with the options every backend takes. */
export function toolLoopAgentOf(name: string, opts: BackendOptions, backend: ChatBackend, redactor: Redactor): Agent {
  const { model, tools, sink, maxToolRounds, conversation } = opts;
  return createToolLoopAgent({ name, model, backend, tools, sink, redactor, maxToolRounds, conversation });
}

export function createToolLoopAgent(o: ToolLoopOptions): Agent {
  const maxToolRounds = o.maxToolRounds ?? 40;
  let turns = restore(o.backend, o.conversation);
  let open = o.conversation?.open;

  /** Runs tool calls in order, each yielded as call and result; every call gets its result, even when aborting, or the history is invalid. */
  async function* runTools(turnNo: number, calls: ToolCall[], signal?: AbortSignal): AsyncGenerator<EventInput, ToolOutcome[]> {
    const results: ToolOutcome[] = [];
    for (const call of calls) {
      const input =
        typeof call.input === 'object' && call.input !== null && !Array.isArray(call.input) ? (call.input as Record<string, unknown>) : { value: call.input };
      yield { type: 'tool_call', turn: turnNo, callId: call.id, name: call.name, input };
      const r = signal?.aborted ? { output: 'aborted before running', isError: true } : await o.tools.execute(call.name, call.input, signal);
      const output = o.redactor.redact(r.output);
      yield { type: 'tool_result', turn: turnNo, callId: call.id, output, isError: r.isError };
      results.push({ call, output, isError: r.isError });
    }
    return results;
  }

  /**
   * The turn as a stream the caller pulls: each tool call and result is yielded as it happens
   * and the loop goes on only when the caller asks for the next, so whatever the caller decides
   * about an event (a trigger on a tool's output) comes before the events that follow it.
   */
  async function* run(req: AgentTurnRequest): AsyncGenerator<EventInput, AgentTurnResult> {
    // The turn a killed run was in: its prompt is in the conversation already, and what it did is kept.
    const cont = open?.promptId === req.promptId ? open : undefined;
    open = undefined;
    const turnNo = cont ? cont.turn : ++turns;
    const usage = cont ? { ...cont.usage } : zeroUsage();
    let lastText = cont?.lastText ?? '';
    const result = (stopReason: string): AgentTurnResult => ({ stopReason, usage, costUsd: priceOf(o.model, usage), text: lastText });
    // Prompts quote command output: they may not carry a secret to the model.
    if (!cont) o.backend.addPrompt(o.redactor.redact(req.text));
    else if (cont.lastStop !== undefined && cont.lastStop !== 'tool_use') return result(cont.lastStop);
    else if (cont.unanswered.length > 0) o.backend.addToolResults(yield* runTools(turnNo, cont.unanswered, req.signal));

    for (let round = 0; ; round++) {
      if (req.signal?.aborted) return result('aborted');
      const reply = await o.backend.next(turnNo, req.signal);
      if (reply === 'aborted') return result('aborted');
      const content: ReplyBlock[] = reply.content ?? [
        ...(reply.text ? [{ type: 'text' as const, text: reply.text }] : []),
        ...reply.toolCalls.map((c) => ({ type: 'tool_use' as const, id: c.id, name: c.name, input: c.input })),
      ];
      yield { type: 'agent_reply', turn: turnNo, stopReason: reply.stopReason, usage: reply.usage, content };
      addUsage(usage, reply.usage);
      if (reply.text) lastText = reply.text;
      if (reply.stopReason !== 'tool_use') {
        // A reply cut at max_tokens may end in a tool call; answer it so the history stays valid.
        if (reply.toolCalls.length) {
          o.backend.addToolResults(reply.toolCalls.map((call) => ({ call, output: notRun(reply.stopReason), isError: true })));
        }
        return result(reply.stopReason);
      }
      o.backend.addToolResults(yield* runTools(turnNo, reply.toolCalls, req.signal));
      if (req.signal?.aborted) return result('aborted');
      if (round + 1 >= maxToolRounds) return result('max_tool_rounds');
    }
  }

  /** The same turn, its events appended to the sink: for callers that do not pull. */
  const turn = (req: AgentTurnRequest): Promise<AgentTurnResult> => appendTurn(run(req), o.sink);

  return { name: o.name, model: o.model, turn, run };
}
