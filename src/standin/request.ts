import { z } from 'zod';

/**
 * The part of a Messages API request body the stand-in reads. Everything else is kept
 * (looseObject) so tests can assert on what the client really sent.
 */

const ContentBlock = z.looseObject({ type: z.string() });
const MessageParam = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(ContentBlock)]),
});

export const MessagesRequest = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  messages: z.array(MessageParam).min(1),
  stream: z.boolean().optional(),
});
export type MessagesRequest = z.infer<typeof MessagesRequest>;
/** A request as received: the parsed JSON body, in arrival order. */
export type RecordedRequest = MessagesRequest;

const textOf = (content: unknown): string => {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((b: unknown) => {
      if (typeof b !== 'object' || b === null) return '';
      const block = b as { type?: unknown; text?: unknown; content?: unknown };
      if (block.type === 'text' && typeof block.text === 'string') return block.text;
      if (block.type === 'tool_result') return textOf(block.content);
      return '';
    })
    .filter((s) => s.length > 0)
    .join('\n');
};

/** Text of the latest user message: its text blocks and tool_result contents, joined by newlines. */
export function latestUserText(req: MessagesRequest): string {
  for (let i = req.messages.length - 1; i >= 0; i--) {
    const m = req.messages[i]!;
    if (m.role === 'user') return textOf(m.content);
  }
  return '';
}
