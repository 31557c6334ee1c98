import type { Event, EventInput, EventOf } from '../events/schema.js';
import type { HookInputOf, HookOutput } from './protocol.js';
import { advance, allEvents, escalation, pendingPrompt, type HookRun } from './hook-run.js';
import { delivered, outlastsHook } from './status.js';
import { sessionUsage, usageSince, NO_USAGE, type SessionUsage } from './transcript-usage.js';
import { startDriver, finishRun } from './driver.js';

/**
 * Claude Code lets a Stop hook block 9 times in a row before it overrides it; labpilot stops
 * blocking one short of that, so the person hears why from labpilot rather than from Claude Code.
 */
export const BLOCKS_IN_A_ROW = 8;

const EDIT_TOOLS = new Set(['Edit', 'MultiEdit', 'Write', 'NotebookEdit']);

type StopAnswer = HookOutput & { session?: SessionUsage };

/**
 * The agent wants to stop: its turn is over. labpilot judges the step itself (the engine runs
 * the step's commands and checks); a failure blocks the stop with the remediation's prompt or
 * the failure, a pass blocks it with the next step's prompt, and the end of the playbook (or a
 * budget, the same error again, an abort) lets Claude stop, the person told why.
 */
export async function onStop(run: HookRun, input: HookInputOf<'Stop'>): Promise<StopAnswer> {
  const events = allEvents(run);
  const session = sessionUsage(input.transcript_path);
  const spent = usageSince(session, lastReading(events, input.session_id));
  let long: EventOf<'command_started'> | undefined;
  const outlasts = (e: EventOf<'command_started'>) => (outlastsHook(run, e) ? ((long = e), true) : false);
  const p = pendingPrompt(run.context);
  const turnEnded = (promptId: string): Extract<EventInput, { type: 'agent_turn_ended' }> => ({
    type: 'agent_turn_ended',
    turn: run.context.spent.turns + 1,
    promptId,
    stopReason: 'end_turn',
    usage: spent.usage,
    costUsd: spent.costUsd,
    filesChanged: editedSince(events, promptId),
  });
  // A turn that answered no prompt of labpilot's was the person's own: it costs the budgets all the same.
  const ownTurn = () => {
    const own = events.findLast((e) => e.type === 'prompt_sent');
    if (own) run.emit(turnEnded(own.promptId));
  };
  const taken = escalation(run.context);
  if (p && delivered(events, p.promptId)) await advance(run, turnEnded(p.promptId), outlasts);
  else if (taken) {
    // labpilot stopped for the person; they have worked with Claude since: the step is judged again.
    ownTurn();
    await advance(run, { type: 'decision', subject: 'ask', ref: taken.ref, verdict: 'approve', by: 'human', reason: 'the person took over in Claude Code' }, outlasts);
  } else if (!p) await advance(run, 'resume', outlasts);
  else ownTurn(); // The prompt has not reached the model yet: it goes out now.
  const ctx = run.context;
  if (ctx.verdict) return { systemMessage: await finishRun(run), session };
  if (long) {
    startDriver(run);
    return { systemMessage: `labpilot runs \`${long.command}\` (step ${long.step}) in the background; its result reaches Claude at your next prompt.`, session };
  }
  const needed = escalation(ctx);
  if (needed) {
    return {
      systemMessage: `labpilot needs you: ${needed.text}. Claude stops here; work on it with Claude, and labpilot checks step '${currentStepId(run)}' again when Claude next stops (\`labpilot detach\` ends the run).`,
      session,
    };
  }
  const next = pendingPrompt(ctx);
  if (!next) return { session };
  const inARow = blocksInARow(allEvents(run));
  if (input.stop_hook_active && inARow >= BLOCKS_IN_A_ROW) {
    return {
      systemMessage: `labpilot stopped blocking: Claude was sent back ${inARow} times in a row. Step '${next.step}' still waits on its prompt, which labpilot sends with your next message.`,
      session,
    };
  }
  run.emit({ type: 'prompt_sent', promptId: next.promptId, step: next.step, text: next.text });
  return { decision: 'block', reason: next.text, session };
}

/** The session's usage as last read at a Stop of the same session. */
function lastReading(events: Event[], sessionId: string): SessionUsage {
  let current = '';
  let reading = NO_USAGE;
  for (const e of events) {
    if (e.type === 'hook_called') current = e.sessionId;
    if (e.type === 'hook_answered' && e.session && current === sessionId) reading = e.session;
  }
  return reading;
}

/** Claude Code edited files since the prompt was sent. */
function editedSince(events: Event[], promptId: string): boolean {
  const i = events.findIndex((e) => e.type === 'prompt_sent' && e.promptId === promptId);
  return events.slice(Math.max(0, i)).some((e) => e.type === 'tool_call' && EDIT_TOOLS.has(e.name));
}

/** Stops blocked since Claude last stopped on its own (a Stop without stop_hook_active). */
function blocksInARow(events: Event[]): number {
  let n = 0;
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.type === 'hook_answered' && e.hook === 'Stop' && e.answer === 'block') n++;
    if (e.type === 'hook_called' && e.hook === 'Stop' && !e.stopHookActive) break;
  }
  return n;
}

const currentStepId = (run: HookRun) => run.session.engine.playbook.playbook.steps[run.context.stepIndex]?.id ?? '';
