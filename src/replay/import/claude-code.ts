import { ClaudeMessageLine, ClaudeSummaryLine, type AnthropicBlock, type AnthropicUsage } from './schema.js';
import { contentText, Emitter, parse, RecordError, Turns, type Converter, type FollowUp } from './emitter.js';
import { personText } from './claude-code-text.js';

/** Line types Claude Code writes besides the conversation: its own bookkeeping, tolerated. */
const BOOKKEEPING = /^(system|file-history-snapshot|queue-operation|attachment|progress|last-prompt|cost-state|mode|tools-used|atis-latch|api-request(-[a-z]+)?|custom-title|tag|agent-name|pr-link)$/;
/** Tools that hand a task to a subagent. */
const SUBAGENT_TOOLS = /^(Task|Agent)$/;

export function usageOf(u: AnthropicUsage | undefined) {
  return {
    inputTokens: u?.input_tokens ?? 0,
    outputTokens: u?.output_tokens ?? 0,
    cacheReadTokens: u?.cache_read_input_tokens ?? 0,
    cacheWriteTokens: u?.cache_creation_input_tokens ?? 0,
  };
}

/**
 * A Claude Code session (`~/.claude/projects/<dir>/<session>.jsonl`): user and assistant lines
 * whose `message` holds Messages API content blocks, chained by `parentUuid`. A streamed API
 * message is written as one line per content block, all with its `message.id`; its usage is
 * counted once, from its last line. Subagent work is `isSidechain`, inline (1.x) or in files of
 * its own that the session's lines name by `agentId` (2.x); either way attributed to the call
 * that started it. Read in order, in constant memory per turn.
 */
export class ClaudeCodeConverter implements Converter {
  private readonly turns: Turns;
  private lastUuid: string | undefined;
  /** A slash command waiting for the model's answer, which opens its turn. */
  private command: string | undefined;
  /** Subagent calls of the main conversation: their prompt, to find the call a side chain answers. */
  private readonly subagentCalls = new Map<string, string>();
  private lastSubagentCall: string | undefined;
  /** Side chain line -> the call that started it. */
  private readonly chainParent = new Map<string, string>();
  private readonly followUps: FollowUp[] = [];
  /** While a subagent's own file is read: the call that started it. */
  private fileParent: string | undefined;
  /** Records of other tools' formats: counted to say why nothing was imported. */
  foreign = 0;
  firstForeign: string | undefined;

  constructor(private readonly out: Emitter) {
    this.turns = new Turns(out);
  }

  record(raw: unknown): void {
    const type = (raw as { type?: unknown } | null)?.type;
    if (type === 'user' || type === 'assistant') return this.message(parse(ClaudeMessageLine, raw));
    if (type === 'summary') return this.out.notice(`summary of earlier history: ${parse(ClaudeSummaryLine, raw).summary}`);
    if (typeof type !== 'string') throw new RecordError('type: not a Claude Code line (no type)');
    const r = raw as { uuid?: unknown; isSidechain?: unknown; sessionId?: unknown };
    if (!BOOKKEEPING.test(type) && typeof r.sessionId !== 'string') {
      this.foreign++;
      this.firstForeign ??= type;
      return;
    }
    if (typeof r.uuid === 'string' && r.isSidechain !== true) this.lastUuid = r.uuid;
  }

  /** Subagent files to read next, named by the lines read so far. */
  pending(): FollowUp[] {
    return this.followUps.splice(0);
  }

  /** The records that follow are a subagent's own file, started by `callId` (undefined: back to the session). */
  within(callId: string | undefined): void {
    this.fileParent = callId;
  }

  end(): void {
    this.turns.close();
  }

  private message(l: ClaudeMessageLine): void {
    this.out.at(l.timestamp);
    const side = l.isSidechain === true || this.fileParent !== undefined;
    this.out.sidechain = side;
    this.out.parentCallId = side ? this.parentOf(l) : undefined;
    const content = typeof l.message.content === 'string' ? [{ type: 'text' as const, text: l.message.content }] : l.message.content;
    if (l.message.role === 'assistant') this.assistant(l, content, side);
    else this.user(l, content, side);
    if (l.uuid && !side) this.lastUuid = l.uuid;
    this.out.sidechain = false;
    this.out.parentCallId = undefined;
  }

  private assistant(l: ClaudeMessageLine, content: AnthropicBlock[], side: boolean): void {
    if (!side && this.command !== undefined) {
      this.turns.prompt(this.command);
      this.command = undefined;
    }
    if (l.message.model && !side) this.turns.model = l.message.model;
    // Every line of a streamed message restates its usage; the last one holds the final counts.
    if (l.message.usage) this.turns.usage.message(l.message.id ?? l.uuid ?? `line${this.out.line}`, usageOf(l.message.usage), l.message.model ?? '');
    if (!side) this.turns.stop(l.message.stop_reason);
    const turn = this.turns.turn;
    for (const b of content) {
      if (b.type === 'text' && b.text.trim() !== '') this.out.emit({ type: 'agent_text', turn, text: b.text });
      else if (b.type === 'thinking' && b.thinking.trim() !== '') this.out.notice(`agent thinking: ${b.thinking}`);
      else if (b.type === 'tool_use') {
        const input = b.input && typeof b.input === 'object' ? (b.input as Record<string, unknown>) : {};
        if (!side && SUBAGENT_TOOLS.test(b.name)) {
          this.lastSubagentCall = b.id;
          if (typeof input.prompt === 'string') this.subagentCalls.set(input.prompt.trim(), b.id);
        }
        this.turns.call(b.id, b.name, input);
      }
    }
  }

  private user(l: ClaudeMessageLine, content: AnthropicBlock[], side: boolean): void {
    const texts: string[] = [];
    for (const b of content) {
      if (b.type === 'text') texts.push(b.text);
      else if (b.type === 'tool_result') {
        this.out.emit({ type: 'tool_result', turn: this.turns.turn, callId: b.tool_use_id, output: contentText(b.content), isError: b.is_error === true });
        const agentId = (l.toolUseResult as { agentId?: unknown } | undefined)?.agentId;
        if (!side && typeof agentId === 'string') this.followUps.push({ id: agentId, callId: b.tool_use_id, sessionId: l.sessionId });
      }
    }
    if (texts.length === 0) return;
    const said = texts.join('\n');
    if (side) return this.out.notice(`subagent prompt: ${said}`);
    const p = personText(texts);
    if (l.isMeta || p.typed === '') {
      if (p.interrupted) this.turns.stop('aborted');
      if (p.command !== undefined) this.command = p.command;
      if (p.local) this.command = undefined;
      return this.out.notice(`not typed by the person: ${said}`);
    }
    this.command = undefined;
    if (l.parentUuid && this.lastUuid && l.parentUuid !== this.lastUuid) {
      this.out.notice(`the conversation goes on from an earlier message (${l.parentUuid}): a rewound or edited prompt`);
    }
    this.turns.prompt(p.typed);
  }

  /** The call a side chain line belongs to: its file's, its chain's, the one whose prompt it repeats, or the latest. */
  private parentOf(l: ClaudeMessageLine): string | undefined {
    let parent = this.fileParent ?? (l.parentUuid ? this.chainParent.get(l.parentUuid) : undefined);
    if (parent === undefined && typeof l.message.content === 'string') parent = this.subagentCalls.get(l.message.content.trim());
    parent ??= this.lastSubagentCall;
    if (parent !== undefined && l.uuid && this.fileParent === undefined) this.chainParent.set(l.uuid, parent);
    return parent;
  }
}
