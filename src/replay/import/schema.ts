import { z } from 'zod';

/**
 * The transcript records labpilot reads, as far as it reads them. Objects are loose: these tools
 * add fields release after release, and a field labpilot does not use must not fail a line.
 */

const text = z.string();

/** Anthropic content blocks, as Claude Code and the Messages API write them. */
export const AnthropicBlock = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text'), text }),
  z.looseObject({ type: z.literal('thinking'), thinking: text }),
  z.looseObject({ type: z.literal('redacted_thinking') }),
  z.looseObject({ type: z.literal('tool_use'), id: text, name: text, input: z.unknown() }),
  z.looseObject({
    type: z.literal('tool_result'),
    tool_use_id: text,
    content: z.union([text, z.array(z.looseObject({ type: text, text: text.optional() }))]).optional(),
    is_error: z.boolean().nullish(),
  }),
  z.looseObject({ type: z.enum(['image', 'document', 'server_tool_use', 'web_search_tool_result']) }),
]);
export type AnthropicBlock = z.infer<typeof AnthropicBlock>;

const AnthropicUsage = z.looseObject({
  input_tokens: z.number().optional(),
  output_tokens: z.number().optional(),
  cache_creation_input_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
});
export type AnthropicUsage = z.infer<typeof AnthropicUsage>;

const AnthropicContent = z.union([text, z.array(AnthropicBlock)]);

/** A user or assistant line of a Claude Code session; other line types are read by their `type`. */
export const ClaudeMessageLine = z.looseObject({
  type: z.enum(['user', 'assistant']),
  uuid: text.optional(),
  parentUuid: text.nullish(),
  isSidechain: z.boolean().optional(),
  isMeta: z.boolean().optional(),
  timestamp: text.optional(),
  sessionId: text.optional(),
  /** Claude Code's own record of a tool's result; a subagent's names its `agentId`. */
  toolUseResult: z.unknown().optional(),
  message: z.looseObject({
    role: z.enum(['user', 'assistant']),
    id: text.optional(),
    model: text.optional(),
    content: AnthropicContent,
    stop_reason: text.nullish(),
    usage: AnthropicUsage.optional(),
  }),
});
export type ClaudeMessageLine = z.infer<typeof ClaudeMessageLine>;

export const ClaudeSummaryLine = z.looseObject({ type: z.literal('summary'), summary: text, leafUuid: text.optional() });

/** Codex CLI rollout: `{ timestamp, type, payload }` per line. */
export const CodexLine = z.looseObject({ timestamp: text.optional(), type: text, payload: z.looseObject({ type: text.optional() }) });

const CodexText = z.union([text, z.array(z.looseObject({ type: text, text: text.optional() }))]);

export const CodexItem = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('message'), role: text, content: CodexText }),
  z.looseObject({ type: z.literal('function_call'), name: text, arguments: text, call_id: text }),
  z.looseObject({ type: z.literal('custom_tool_call'), name: text, input: text, call_id: text }),
  z.looseObject({
    type: z.literal('local_shell_call'),
    call_id: text.nullish(),
    id: text.nullish(),
    action: z.looseObject({ command: z.array(text) }),
  }),
  z.looseObject({ type: z.enum(['function_call_output', 'custom_tool_call_output']), call_id: text, output: z.unknown() }),
  z.looseObject({ type: z.literal('reasoning'), summary: z.array(z.looseObject({ text: text.optional() })).optional() }),
]);
export type CodexItem = z.infer<typeof CodexItem>;

const OpenAIToolCall = z.looseObject({ id: text, function: z.looseObject({ name: text, arguments: text }) });

/** A chat message of either API: Anthropic's content blocks or OpenAI's tool_calls and tool role. */
export const ChatMessage = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([text, z.array(z.looseObject({ type: text })), z.null()]).optional(),
  tool_calls: z.array(OpenAIToolCall).nullish(),
  tool_call_id: text.optional(),
  name: text.optional(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;
