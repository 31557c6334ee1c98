import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { LineCounter, parseDocument } from 'yaml';
import { InputError } from '../errors.js';

/**
 * A scripted session for the Messages API stand-in: the assistant replies it plays, in order,
 * each picked by a regex over the latest user message. Faults are per turn so that retry and
 * torn-stream handling can be exercised against the real SDK.
 */

const isRegex = (source: string): boolean => {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
};

export const ReplyBlock = z.union([
  z.strictObject({ text: z.string() }),
  z.strictObject({
    tool_use: z.strictObject({
      name: z.string().min(1),
      input: z.record(z.string(), z.unknown()).default({}),
    }),
  }),
]);
export type ReplyBlock = z.infer<typeof ReplyBlock>;

/** Answer the first `times` requests that pick this turn with a failure, then answer normally. */
export const Fault = z
  .strictObject({
    /** An HTTP error with the real error body (429 rate_limit_error, 500 api_error, 529 overloaded_error). */
    status: z.union([z.literal(429), z.literal(500), z.literal(529)]).optional(),
    /** Start the SSE stream, then cut the connection mid-message (streaming requests only). */
    torn: z.boolean().optional(),
    /** Answer 200 with a malformed body: a broken JSON object, or an SSE event whose data is not JSON. */
    malformed: z.boolean().optional(),
    /** Accept the request and never answer, until the client gives up (its timeout). */
    timeout: z.boolean().optional(),
    /** Start the SSE stream, send a little, then go silent with the connection open. */
    stall: z.boolean().optional(),
    times: z.number().int().positive().default(1),
    /** Sent as `retry-after` (seconds, rounded up) and `retry-after-ms`; the SDK honours both. */
    retryAfterMs: z.number().int().nonnegative().default(0),
  })
  .refine((f) => [f.status !== undefined, f.torn, f.malformed, f.timeout, f.stall].filter(Boolean).length === 1, {
    message: 'a fault is exactly one of `status`, `torn: true`, `malformed: true`, `timeout: true`, `stall: true`',
  });
export type Fault = z.infer<typeof Fault>;

/** Token counts to report instead of the length-based estimate (e.g. to exercise cache pricing). */
export const UsageOverride = z.strictObject({
  input_tokens: z.number().int().nonnegative().optional(),
  output_tokens: z.number().int().nonnegative().optional(),
  cache_creation_input_tokens: z.number().int().nonnegative().optional(),
  cache_read_input_tokens: z.number().int().nonnegative().optional(),
});
export type UsageOverride = z.infer<typeof UsageOverride>;

export const ScriptedTurn = z.strictObject({
  id: z.string().optional(),
  when: z.string().refine(isRegex, { message: 'not a valid JavaScript regular expression' }).optional(),
  reply: z.array(ReplyBlock).min(1),
  repeat: z.boolean().default(false),
  fault: Fault.optional(),
  usage: UsageOverride.optional(),
  /** Overrides the derived stop reason (tool_use when the reply has a tool call, else end_turn). */
  stop_reason: z.enum(['end_turn', 'tool_use', 'max_tokens', 'stop_sequence', 'refusal']).optional(),
  /** Pause between SSE events, so a client can abort mid-stream. */
  delayMs: z.number().int().nonnegative().default(0),
});
export type ScriptedTurn = z.infer<typeof ScriptedTurn>;

export const ScriptedSession = z.strictObject({
  turns: z.array(ScriptedTurn),
});
export type ScriptedSession = z.infer<typeof ScriptedSession>;
/** The session as written, before defaults are applied (what callers may pass in code). */
export type ScriptedSessionInput = z.input<typeof ScriptedSession>;

/** Reads and validates a session file; problems are reported as `file:line:col: message`. */
export function loadSession(file: string): ScriptedSession {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read session file: ${(err as Error).message}`, file);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const pos = yamlError.linePos?.[0];
    throw new InputError(yamlError.message.split('\n')[0] ?? 'invalid YAML', `${file}:${pos?.line ?? 1}:${pos?.col ?? 1}`);
  }
  const parsed = ScriptedSession.safeParse(doc.toJS());
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  // Point at the deepest node of the issue's path that exists in the document.
  let offset = 0;
  for (let n = issue.path.length; n >= 0; n--) {
    const node = doc.getIn(issue.path.slice(0, n) as (string | number)[], true) as { range?: [number, number] } | undefined;
    if (node?.range) {
      offset = node.range[0];
      break;
    }
  }
  const { line, col } = lineCounter.linePos(offset);
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  throw new InputError(`${where}${issue.message}`, `${file}:${line}:${col}`);
}
