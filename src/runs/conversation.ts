import type { Event, EventOf, Usage } from '../events/schema.js';

/**
 * The agent's conversation as the run log holds it: every prompt sent, every reply of the model
 * (`agent_reply`, whole) and every tool result, in order. A resumed run hands it to its agent, so
 * the first request after a kill carries all that came before, the turn numbers go on, and a turn
 * cut short is continued rather than asked again.
 */

export type ReplyBlock = EventOf<'agent_reply'>['content'][number];

export interface LoggedToolResult {
  callId: string;
  name: string;
  input: unknown;
  output: string;
  isError: boolean;
}

export type ConversationItem =
  | { kind: 'prompt'; text: string }
  | { kind: 'reply'; content: ReplyBlock[] }
  | { kind: 'results'; results: LoggedToolResult[] };

/** A turn whose prompt was sent but whose end is not in the log. */
export interface OpenTurn {
  promptId: string;
  turn: number;
  /** What the replies logged so far in this turn cost. */
  usage: Usage;
  /** Stop reason of the turn's last logged reply; undefined before the first. */
  lastStop?: string;
  lastText: string;
  /** Tool calls of the last reply still without a logged result, in order. */
  unanswered: Array<{ id: string; name: string; input: unknown }>;
}

export interface Conversation {
  items: ConversationItem[];
  /** Turns started so far: the next turn is numbered one more. */
  turns: number;
  open?: OpenTurn;
  /** The agent's own session id (Claude Code), when it logged one. */
  sessionId?: string;
}

/** The answer a tool call gets when the reply that made it stopped for another reason. */
export const notRun = (stopReason: string): string => `not run: the reply stopped (${stopReason})`;

export const zeroUsage = (): Usage => ({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });

export function addUsage(into: Usage, u: Usage): void {
  into.inputTokens += u.inputTokens;
  into.outputTokens += u.outputTokens;
  into.cacheReadTokens = (into.cacheReadTokens ?? 0) + (u.cacheReadTokens ?? 0);
  into.cacheWriteTokens = (into.cacheWriteTokens ?? 0) + (u.cacheWriteTokens ?? 0);
}

const toolUses = (content: ReplyBlock[]) => content.flatMap((b) => (b.type === 'tool_use' ? [{ id: b.id, name: b.name, input: b.input }] : []));

export function conversationOf(events: Iterable<Event>): Conversation {
  const items: ConversationItem[] = [];
  let turns = 0;
  let open: OpenTurn | undefined;
  let sessionId: string | undefined;
  const results = (): LoggedToolResult[] => {
    const last = items.at(-1);
    if (last?.kind === 'results') return last.results;
    const fresh: ConversationItem = { kind: 'results', results: [] };
    items.push(fresh);
    return fresh.results;
  };
  let replied = false;
  let answered = false;
  for (const e of events) {
    if (e.type === 'agent_reply') replied = true;
    if (e.type === 'tool_result' || e.type === 'agent_turn_ended') answered = true;
    switch (e.type) {
      case 'prompt_sent':
        // A log written before turns were continued sent the prompt of a cut turn again.
        if (open?.promptId !== e.promptId) turns++;
        open = { promptId: e.promptId, turn: turns, usage: zeroUsage(), lastText: '', unanswered: [] };
        items.push({ kind: 'prompt', text: e.text });
        break;
      case 'agent_reply': {
        items.push({ kind: 'reply', content: e.content });
        if (!open) break;
        addUsage(open.usage, e.usage);
        open.lastStop = e.stopReason;
        const text = e.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n');
        if (text) open.lastText = text;
        const calls = toolUses(e.content);
        if (e.stopReason === 'tool_use') open.unanswered = calls;
        else if (calls.length > 0) results().push(...calls.map((c) => ({ callId: c.id, name: c.name, input: c.input, output: notRun(e.stopReason), isError: true })));
        break;
      }
      case 'tool_result': {
        const i = open?.unanswered.findIndex((c) => c.id === e.callId) ?? -1;
        const call = i >= 0 ? open!.unanswered.splice(i, 1)[0]! : { name: '', input: {} };
        results().push({ callId: e.callId, name: call.name, input: call.input, output: e.output, isError: e.isError });
        break;
      }
      case 'agent_turn_ended':
        if (open?.promptId === e.promptId) open = undefined;
        break;
      case 'agent_session':
        sessionId = e.sessionId;
        break;
      default:
        break;
    }
  }
  // A log written before replies were logged holds prompts and results without the replies they
  // answer: no valid conversation can be made of it, so the agent starts afresh as it did then.
  if (!replied && answered) return { items: [], turns, sessionId };
  return { items, turns, open, sessionId };
}
