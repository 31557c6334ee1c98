import type { EventOf } from '../events/schema.js';
import { context, type HookInput, type HookInputOf, type HookOutput } from './protocol.js';
import { allEvents, pendingPrompt, type HookRun } from './hook-run.js';
import { delivered, personPrompts, remediationHint, sessionContext, stepLine } from './status.js';
import { onStop } from './stop.js';

/**
 * One hook call on an attached run: logged as `hook_called`, answered as `hook_answered`, with
 * whatever the engine did in between (turns ended, commands run, gates judged) in the log too.
 */
export async function handleHook(run: HookRun, input: HookInput): Promise<HookOutput> {
  if (run.context.verdict) return ended(run, input);
  run.emit({
    type: 'hook_called',
    hook: input.hook_event_name,
    sessionId: input.session_id,
    ...(input.hook_event_name === 'Stop' && { stopHookActive: input.stop_hook_active }),
    ...((input.hook_event_name === 'PostToolUse' || input.hook_event_name === 'PostToolUseFailure') && { tool: input.tool_name }),
  });
  switch (input.hook_event_name) {
    case 'SessionStart':
      return answer(run, input.hook_event_name, context('SessionStart', sessionContext(run)));
    case 'UserPromptSubmit':
      return answer(run, input.hook_event_name, onPrompt(run, input));
    case 'PostToolUse':
    case 'PostToolUseFailure':
      return answer(run, input.hook_event_name, onTool(run, input));
    case 'Stop':
      return answer(run, input.hook_event_name, await onStop(run, input));
  }
}

/** Logs the answer and returns it. */
function answer(run: HookRun, hook: string, out: HookOutput & { session?: EventOf<'hook_answered'>['session'] }): HookOutput {
  const { session, ...output } = out;
  const text = output.reason ?? output.hookSpecificOutput?.additionalContext;
  const kind = output.decision === 'block' ? 'block' : output.hookSpecificOutput ? 'context' : 'allow';
  run.emit({ type: 'hook_answered', hook, answer: kind, ...(text && { text }), ...(output.systemMessage && { message: output.systemMessage }), ...(session && { session }) });
  return output;
}

/** The run has ended: hooks say so and stay out of the way until `labpilot detach`. */
function ended(run: HookRun, input: HookInput): HookOutput {
  if (input.hook_event_name !== 'SessionStart') return {};
  return context('SessionStart', `${stepLine(run)}. \`labpilot detach\` removes its hooks.`);
}

/**
 * The person's prompt is logged as sent (replay and coverage read it). A labpilot prompt not yet
 * delivered rides along as context, and is logged as sent after it, so the turn that follows
 * answers it.
 */
function onPrompt(run: HookRun, input: HookInputOf<'UserPromptSubmit'>): HookOutput {
  const step = run.session.engine.playbook.playbook.steps[run.context.stepIndex]?.id ?? '';
  run.emit({ type: 'prompt_sent', promptId: `u${personPrompts(run) + 1}`, step, text: input.prompt });
  const p = pendingPrompt(run.context);
  if (!p || delivered(allEvents(run), p.promptId)) return {};
  run.emit({ type: 'prompt_sent', promptId: p.promptId, step: p.step, text: p.text });
  return context('UserPromptSubmit', `${stepLine(run)}\n\nlabpilot's prompt for this step:\n\n${p.text}`);
}

/** Claude Code's own text for a tool's result: Bash's stdout and stderr, else the JSON. */
function toolOutput(input: HookInputOf<'PostToolUse'> | HookInputOf<'PostToolUseFailure'>): string {
  if (input.hook_event_name === 'PostToolUseFailure') return input.error;
  const r = input.tool_response;
  if (typeof r === 'string') return r;
  if (r && typeof r === 'object' && 'stdout' in r) {
    const { stdout, stderr } = r as { stdout?: string; stderr?: string };
    return [stdout, stderr].filter((s) => s).join('\n');
  }
  // Other tools answer with their whole state (a Read's file, an Edit's original file): kept short.
  const json = JSON.stringify(r ?? null);
  return json.length > OTHER_TOOL_CHARS ? `${json.slice(0, OTHER_TOOL_CHARS)}… (${json.length} characters)` : json;
}

const OTHER_TOOL_CHARS = 2000;

/** The tool call and its result as events; the runner scans command output for triggers. */
function onTool(run: HookRun, input: HookInputOf<'PostToolUse'> | HookInputOf<'PostToolUseFailure'>): HookOutput {
  const turn = run.context.spent.turns + 1;
  const callId = input.tool_use_id ?? `hook-${run.emitted[0]?.seq ?? 0}`;
  const args = input.tool_input && typeof input.tool_input === 'object' ? (input.tool_input as Record<string, unknown>) : { input: input.tool_input };
  const from = run.emitted.length;
  run.emit({ type: 'tool_call', turn, callId, name: input.tool_name, input: args });
  // The hint quotes the output as logged: with secrets masked.
  const result = run.emit({ type: 'tool_result', turn, callId, output: toolOutput(input), isError: input.hook_event_name === 'PostToolUseFailure' });
  const output = result.type === 'tool_result' ? result.output : '';
  const hints = run.emitted
    .slice(from)
    .filter((e): e is EventOf<'trigger_matched'> => e.type === 'trigger_matched')
    .flatMap((hit) => remediationHint(run, hit, output) ?? []);
  return hints.length > 0 ? context(input.hook_event_name, hints.join('\n\n')) : {};
}

