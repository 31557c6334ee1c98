import { CodexItem, CodexLine } from './schema.js';
import { contentText, Emitter, parse, RecordError, Turns, type Converter } from './emitter.js';

/** Item types of a rollout that carry the conversation; others (ghost snapshots, ...) are skipped. */
const ITEMS = new Set(['message', 'function_call', 'custom_tool_call', 'local_shell_call', 'function_call_output', 'custom_tool_call_output', 'reasoning']);

/** Items a rollout holds that say nothing of the conversation; other bare types are not Codex's. */
const OTHER_ITEMS = new Set(['ghost_snapshot', 'web_search_call', 'image_generation_call', 'compaction', 'other']);

/**
 * Context Codex sends as a user message that the person did not type: AGENTS.md, the
 * environment, instructions, skills and plugin lists, a shell command the person ran, each
 * wrapped whole in one snake_case tag (`<environment_context>`, `<skills_instructions>`, ...).
 */
const CONTEXT = /^\s*(# AGENTS\.md instructions for |<([a-z]+_[a-z_]+|skill)\b[^>]*>[\s\S]*<\/\2>\s*$)/;

/**
 * A Codex CLI rollout (`~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl`): `{timestamp, type,
 * payload}` lines where `response_item` payloads are the conversation (messages, function calls
 * and their outputs, reasoning) and `event_msg` payloads repeat it for the UI (only token counts
 * and aborts are taken from those). Older rollouts wrote the items bare after a meta line.
 */
export class CodexConverter implements Converter {
  private readonly turns: Turns;

  constructor(private readonly out: Emitter) {
    this.turns = new Turns(out);
  }

  record(raw: unknown): void {
    const r = (raw ?? {}) as Record<string, unknown>;
    if (typeof r.type === 'string' && r.payload !== undefined) {
      const l = parse(CodexLine, raw);
      this.out.at(l.timestamp);
      const p = l.payload as Record<string, unknown>;
      if (l.type === 'response_item') return this.item(p);
      if (l.type === 'event_msg') return this.event(p);
      if (l.type === 'turn_context' && typeof p.model === 'string') this.turns.model = p.model;
      else if (l.type === 'session_meta') this.out.notice(`codex session ${String(p.id ?? '?')} in ${String(p.cwd ?? '?')}`);
      else if (l.type === 'compacted') this.out.notice(`summary of earlier history: ${String(p.message ?? '')}`);
      return;
    }
    if (typeof r.type === 'string' && (ITEMS.has(r.type) || OTHER_ITEMS.has(r.type))) return this.item(r);
    if ('record_type' in r) return;
    if (typeof r.id === 'string' && typeof r.timestamp === 'string') {
      this.out.at(r.timestamp);
      return this.out.notice(`codex session ${r.id}`);
    }
    throw new RecordError(typeof r.type === 'string' ? `type: '${r.type}' is not a Codex rollout record` : 'type: not a Codex rollout line (no type)');
  }

  end(): void {
    this.turns.close();
  }

  private item(raw: Record<string, unknown>): void {
    if (!ITEMS.has(String(raw.type))) return;
    const it = parse(CodexItem, raw);
    const turn = this.turns.turn;
    switch (it.type) {
      case 'message': {
        if (it.role === 'assistant') {
          const text = contentText(it.content);
          if (text.trim() !== '') this.out.emit({ type: 'agent_text', turn, text });
        } else if (it.role === 'user') {
          // Each part on its own: a message may carry AGENTS.md and the environment together.
          const parts = typeof it.content === 'string' ? [it.content] : it.content.map((c) => c.text ?? '');
          const typed = parts.filter((t) => t.trim() !== '' && !CONTEXT.test(t));
          if (typed.length > 0) this.turns.prompt(typed.join('\n'));
          else this.out.notice(`context sent by codex: ${parts.join('\n').slice(0, 200)}`);
        }
        return;
      }
      case 'function_call': {
        let args: unknown;
        try {
          args = JSON.parse(it.arguments);
        } catch {
          throw new RecordError(`arguments: not JSON: ${it.arguments.slice(0, 80)}`);
        }
        return this.turns.call(it.call_id, it.name, args && typeof args === 'object' ? (args as Record<string, unknown>) : { arguments: args });
      }
      case 'custom_tool_call':
        return this.turns.call(it.call_id, it.name, customInput(it.name, it.input));
      case 'local_shell_call':
        return this.turns.call(it.call_id ?? it.id ?? '', 'local_shell', { command: it.action.command });
      case 'function_call_output':
      case 'custom_tool_call_output': {
        const { output, isError } = shellOutput(it.output);
        return this.out.emit({ type: 'tool_result', turn, callId: it.call_id, output, isError });
      }
      case 'reasoning': {
        const text = (it.summary ?? []).map((s) => s.text ?? '').join('\n');
        if (text) this.out.notice(`agent thinking: ${text}`);
        return;
      }
    }
  }


  private event(p: Record<string, unknown>): void {
    if (p.type === 'token_count') {
      // The session's running total, repeated as often as Codex reports it: taken, never summed.
      const total = (p.info as { total_token_usage?: Record<string, number> } | null)?.total_token_usage;
      if (!total) return;
      // OpenAI counts cached input inside input_tokens, and reasoning inside output_tokens.
      const cached = total.cached_input_tokens ?? 0;
      this.turns.usage.cumulative({ inputTokens: Math.max(0, (total.input_tokens ?? 0) - cached), outputTokens: total.output_tokens ?? 0, cacheReadTokens: cached });
    } else if (p.type === 'turn_aborted') {
      this.turns.stop('aborted');
      this.out.notice(`turn aborted: ${String(p.reason ?? '')}`);
    }
  }
}

/**
 * A tool call's output as the model saw it, and whether it failed: a JSON string
 * `{"output", "metadata": {"exit_code"}}` (older rollouts), text headed `Exit code: n` (shell),
 * `Process exited with code n` (exec_command) or `Script failed` (code mode's exec), or an array
 * of content parts holding such text.
 */
export function shellOutput(raw: unknown): { output: string; isError: boolean } {
  let value = raw;
  if (typeof raw === 'string' && raw.startsWith('{')) {
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
  }
  if (typeof value === 'string' || Array.isArray(value)) {
    const output = contentText(value);
    return { output, isError: failed(output) };
  }
  const o = (value ?? {}) as { output?: unknown; content?: unknown; metadata?: { exit_code?: unknown }; success?: unknown };
  const output = typeof o.output === 'string' ? o.output : contentText(o.content ?? o.output);
  const exit = o.metadata?.exit_code;
  return { output, isError: (typeof exit === 'number' && exit !== 0) || o.success === false || (exit === undefined && failed(output)) };
}

function failed(text: string): boolean {
  const code = /^(?:Exit code:|Process exited with code) (-?\d+)/m.exec(text);
  return (code !== null && code[1] !== '0') || /^Script (failed|error:)/m.test(text);
}

/**
 * A freeform tool's input as a call: code mode's `exec` runs the commands its script hands to
 * `tools.exec_command` / `tools.shell_command` (a shell run, with the first command as its
 * command line); apply_patch's input is the patch.
 */
function customInput(name: string, input: string): Record<string, unknown> {
  if (name !== 'exec') return { input };
  const cmd = /tools\.(?:exec_command|shell_command|shell)\(\s*\{[^}]*?\b(?:cmd|command)\s*:\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)/.exec(input)?.[1];
  let command = input;
  if (cmd) {
    try {
      command = cmd.startsWith('"') ? (JSON.parse(cmd) as string) : cmd.slice(1, -1);
    } catch {
      command = cmd.slice(1, -1);
    }
  }
  return { command, script: input };
}
