import { AnthropicBlock, ChatMessage } from './schema.js';
import { contentText, Emitter, parse, RecordError, Turns, type Converter } from './emitter.js';
import { usageOf } from './claude-code.js';

/**
 * Plain chat messages, as sent to the Anthropic Messages API (content blocks: text, thinking,
 * tool_use, tool_result) or the OpenAI Chat Completions API (assistant `tool_calls`, `tool`
 * role messages). One converter reads both: the shapes do not collide. `dialect` says which
 * one the messages turned out to be.
 */
export class MessagesConverter implements Converter {
  private readonly turns: Turns;
  dialect: 'anthropic' | 'openai' | undefined;

  constructor(private readonly out: Emitter) {
    this.turns = new Turns(out);
  }

  record(raw: unknown): void {
    const body = raw as { messages?: unknown; role?: unknown } | null;
    if (body && Array.isArray(body.messages) && body.role === undefined) {
      for (const m of body.messages) this.record(m);
      return;
    }
    const m = parse(ChatMessage, raw);
    const turn = this.turns.turn;
    if (m.role === 'system' || m.role === 'developer') return;
    if (m.role === 'tool' || m.role === 'function') {
      this.dialect ??= 'openai';
      const output = contentText(m.content);
      return this.out.emit({ type: 'tool_result', turn, callId: m.tool_call_id ?? m.name ?? '', output, isError: false });
    }
    const blocks = typeof m.content === 'string' ? [{ type: 'text' as const, text: m.content }] : (m.content ?? []).map(block);
    if (m.role === 'user') {
      const said: string[] = [];
      for (const b of blocks) {
        if (b.type === 'tool_result') {
          this.dialect ??= 'anthropic';
          this.out.emit({ type: 'tool_result', turn, callId: b.tool_use_id, output: contentText(b.content), isError: b.is_error === true });
        } else if (b.type === 'text') said.push(b.text);
      }
      if (said.length > 0) this.turns.prompt(said.join('\n'));
      return;
    }
    const r = raw as { model?: unknown; usage?: Parameters<typeof usageOf>[0] };
    if (typeof r.model === 'string') this.turns.model = r.model;
    if (r.usage) this.turns.usage.add(usageOf(r.usage), this.turns.model);
    for (const b of blocks) {
      if (b.type === 'text' && b.text.trim() !== '') this.out.emit({ type: 'agent_text', turn, text: b.text });
      else if (b.type === 'thinking') this.out.notice(`agent thinking: ${b.thinking}`);
      else if (b.type === 'tool_use') {
        this.dialect ??= 'anthropic';
        this.turns.call(b.id, b.name, b.input && typeof b.input === 'object' ? (b.input as Record<string, unknown>) : {});
      }
    }
    for (const c of m.tool_calls ?? []) {
      this.dialect ??= 'openai';
      let args: unknown;
      try {
        args = JSON.parse(c.function.arguments || '{}');
      } catch {
        throw new RecordError(`tool_calls.${c.id}.function.arguments: not JSON`);
      }
      this.turns.call(c.id, c.function.name, args && typeof args === 'object' ? (args as Record<string, unknown>) : { arguments: args });
    }
  }

  end(): void {
    this.turns.close();
  }

}

/** An OpenAI content part (`text`, `input_text`) reads as a text block; other parts are checked as Anthropic blocks. */
function block(raw: { type: string }): AnthropicBlock {
  if (raw.type === 'input_text' || raw.type === 'output_text') return { type: 'text', text: String((raw as { text?: unknown }).text ?? '') };
  if (raw.type === 'image_url' || raw.type === 'input_image' || raw.type === 'refusal') return { type: 'image' };
  return parse(AnthropicBlock, raw);
}
