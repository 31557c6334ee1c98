import { ClaudeMessageLine, ClaudeSummaryLine, type AnthropicBlock, type AnthropicUsage } from './schema.js';
import { contentText, Emitter, parse, RecordError, Turns, type Converter } from './emitter.js';

/** Text Claude Code puts in a user line that the person did not type. */
const NOT_TYPED = /^\s*(<command-name>|<command-message>|<local-command-stdout>|<local-command-stderr>|<system-reminder>|Caveat: The messages below were generated|\[Request interrupted by user)/;

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
 * whose `message` holds Messages API content blocks, chained by `parentUuid`; `isSidechain`
 * lines are a subagent's work; `summary` lines stand for compacted history. Read in order, in
 * constant memory: a prompt that continues from an earlier message than the last (a rewind or
 * an edited prompt) is noted rather than the branch tree being held.
 */
export class ClaudeCodeConverter implements Converter {
  private readonly turns: Turns;
  private lastUuid: string | undefined;
  private messageId: string | undefined;

  constructor(private readonly out: Emitter) {
    this.turns = new Turns(out);
  }

  record(raw: unknown): void {
    const type = (raw as { type?: unknown } | null)?.type;
    if (type === 'user' || type === 'assistant') return this.message(parse(ClaudeMessageLine, raw));
    if (type === 'summary') return this.out.notice(`summary of earlier history: ${parse(ClaudeSummaryLine, raw).summary}`);
    if (typeof type !== 'string') throw new RecordError('type: not a Claude Code line (no type)');
    // system, file-history-snapshot, queue-operation, ...: the app's bookkeeping, in the chain.
    const r = raw as { uuid?: unknown; isSidechain?: unknown; timestamp?: unknown };
    if (typeof r.uuid === 'string' && r.isSidechain !== true) this.lastUuid = r.uuid;
  }

  end(): void {
    this.turns.close();
  }

  private message(l: ClaudeMessageLine): void {
    this.out.at(l.timestamp);
    this.out.sidechain = l.isSidechain === true;
    const content = l.message.content;
    if (l.message.role === 'assistant') {
      if (l.message.model) this.turns.model = l.message.model;
      // One API message is written as several lines, one per block, each with the same usage.
      if (l.message.id !== this.messageId) this.turns.addUsage(usageOf(l.message.usage));
      this.messageId = l.message.id;
      this.turns.stop(l.message.stop_reason);
      for (const b of typeof content === 'string' ? [{ type: 'text' as const, text: content }] : content) this.assistantBlock(b);
    } else if (typeof content === 'string') {
      this.userText(content, l);
    } else {
      for (const b of content) {
        if (b.type === 'tool_result') this.out.emit({ type: 'tool_result', turn: this.turns.turn, callId: b.tool_use_id, output: contentText(b.content), isError: b.is_error === true });
        else if (b.type === 'text') this.userText(b.text, l);
      }
    }
    if (l.uuid && !this.out.sidechain) this.lastUuid = l.uuid;
    this.out.sidechain = false;
  }

  private assistantBlock(b: AnthropicBlock): void {
    const turn = this.turns.turn;
    if (b.type === 'text' && b.text.trim() !== '') this.out.emit({ type: 'agent_text', turn, text: b.text });
    else if (b.type === 'thinking') this.out.notice(`agent thinking: ${b.thinking}`);
    else if (b.type === 'tool_use') {
      this.turns.call(b.id, b.name, b.input && typeof b.input === 'object' ? (b.input as Record<string, unknown>) : {});
    }
  }

  private userText(text: string, l: ClaudeMessageLine): void {
    if (l.isSidechain) return this.out.notice(`subagent prompt: ${text}`);
    if (l.isMeta || NOT_TYPED.test(text)) return this.out.notice(`not typed by the person: ${text}`);
    if (l.parentUuid && this.lastUuid && l.parentUuid !== this.lastUuid) {
      this.out.notice(`the conversation goes on from an earlier message (${l.parentUuid}): a rewound or edited prompt`);
    }
    this.turns.prompt(text);
  }
}
