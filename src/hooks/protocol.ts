import { z } from 'zod';
import { InputError } from '../errors.js';

/**
 * Claude Code's command-hook protocol, as the Claude Code binary itself validates it: one JSON
 * object on stdin, one on stdout (exit 0). Only the fields labpilot reads are declared; the rest
 * (permission_mode, effort, prompt_id, ...) pass through unread.
 */

/** The hooks `labpilot attach` installs. A Bash command that exits non-zero ends in PostToolUseFailure, not PostToolUse. */
export const HOOK_EVENTS = ['SessionStart', 'UserPromptSubmit', 'PostToolUse', 'PostToolUseFailure', 'Stop'] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

/** Events whose hooks take a tool matcher. */
export const TOOL_EVENTS: ReadonlySet<HookEvent> = new Set(['PostToolUse', 'PostToolUseFailure']);

const common = {
  session_id: z.string(),
  transcript_path: z.string().optional(),
  cwd: z.string().optional(),
};

export const HookInput = z.discriminatedUnion('hook_event_name', [
  z.looseObject({ ...common, hook_event_name: z.literal('SessionStart'), source: z.string().optional() }),
  z.looseObject({ ...common, hook_event_name: z.literal('UserPromptSubmit'), prompt: z.string() }),
  z.looseObject({
    ...common,
    hook_event_name: z.literal('PostToolUse'),
    tool_name: z.string(),
    tool_input: z.unknown(),
    tool_response: z.unknown(),
    tool_use_id: z.string().optional(),
  }),
  z.looseObject({
    ...common,
    hook_event_name: z.literal('PostToolUseFailure'),
    tool_name: z.string(),
    tool_input: z.unknown(),
    tool_use_id: z.string().optional(),
    /** For Bash: "Exit code N" and the command's output. */
    error: z.string(),
  }),
  z.looseObject({ ...common, hook_event_name: z.literal('Stop'), stop_hook_active: z.boolean().default(false) }),
]);
export type HookInput = z.infer<typeof HookInput>;
export type HookInputOf<E extends HookEvent> = Extract<HookInput, { hook_event_name: E }>;

/**
 * What a hook prints. `decision: "block"` on Stop makes Claude go on, reading `reason` as
 * "Stop hook feedback"; `additionalContext` reaches the model as a system reminder;
 * `systemMessage` is shown to the person.
 */
export interface HookOutput {
  decision?: 'block';
  reason?: string;
  systemMessage?: string;
  hookSpecificOutput?: { hookEventName: HookEvent; additionalContext: string };
}

export function parseHookInput(expected: HookEvent, text: string): HookInput {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`hook input is not JSON: ${(err as Error).message}`, 'stdin');
  }
  const parsed = HookInput.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(`not a Claude Code ${expected} hook input: ${issue.path.join('.') || '(root)'}: ${issue.message}`, 'stdin');
  }
  if (parsed.data.hook_event_name !== expected) {
    throw new InputError(`hook input is for ${parsed.data.hook_event_name}, but this hook is ${expected}`, 'stdin');
  }
  return parsed.data;
}

export function isHookEvent(name: string): name is HookEvent {
  return (HOOK_EVENTS as readonly string[]).includes(name);
}

export const context = (event: HookEvent, text: string): HookOutput => ({ hookSpecificOutput: { hookEventName: event, additionalContext: text } });
