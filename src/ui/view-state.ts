import type { Event, Mode, Verdict } from '../events/schema.js';
import type { Playbook } from '../playbook/schema.js';
import { renderTemplate } from '../playbook/template.js';
import { progressLine, startProgress, type Progress } from './progress.js';

/**
 * What the terminal app shows, folded from the event stream alone (DESIGN.md principle 2): the
 * app keeps no state the run log lacks. `history` only grows, so it can live in Ink's <Static>
 * and never redraw; everything in flight (tool calls, the running command) is `live`.
 */
export type Entry = { key: string } & (
  | { kind: 'step'; step: string; title?: string; attempt: number }
  | { kind: 'sent'; promptId: string; text: string }
  | { kind: 'decision'; ref: string; verdict: string; by: string; reason?: string }
  | { kind: 'agent'; text: string }
  | { kind: 'tool'; name: string; input: string; output: string; isError: boolean }
  | { kind: 'command'; command: string; exit: string; durationMs: number; tail: string[]; metrics: Record<string, number> }
  | { kind: 'trigger'; remediation: string; line: string }
  | { kind: 'remediation'; remediation: string; action: string; why: string }
  | { kind: 'gate'; check: string; passed: boolean; detail: string; checklist: boolean }
  | { kind: 'commit'; sha: string; files: number }
  | { kind: 'notice'; level: 'info' | 'warn' | 'error'; message: string }
  | { kind: 'end'; verdict: Verdict; reason: string }
);

export type Phase = 'starting' | 'deciding' | 'agent' | 'command' | 'checking' | 'ended';
export type ItemState = 'pending' | 'passed' | 'failed';

export interface LiveCommand {
  commandId: string;
  step: string;
  command: string;
  tail: string[];
  progress: Progress;
}

export interface ViewState {
  playbook?: Playbook;
  runId?: string;
  mode?: Mode;
  model?: string;
  vars: Record<string, string>;
  step?: string;
  attempt?: number;
  phase: Phase;
  spent: { turns: number; tokens: number; dollars: number };
  startedAt?: number;
  history: Entry[];
  tools: Array<{ callId: string; name: string; input: string }>;
  command?: LiveCommand;
  /** The latest trigger and remediation choice, shown beside a remediation's prompt. */
  trigger?: { remediation: string; line: string };
  choice?: { remediation: string; why: string };
  outcomes: Record<string, 'passed' | 'failed' | 'skipped'>;
  checklist: Array<{ label: string; state: ItemState; detail?: string }>;
  ended?: { verdict: Verdict; reason: string };
}

const TAIL = 6;

export function initialView(playbook?: Playbook): ViewState {
  return { playbook, vars: {}, phase: 'starting', spent: { turns: 0, tokens: 0, dollars: 0 }, history: [], tools: [], outcomes: {}, checklist: [] };
}

export const oneLine = (s: string, max = 200): string => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
};

export function foldView(s: ViewState, e: Event): ViewState {
  const add = (entry: DistributiveOmit<Entry, 'key'>): ViewState => ({
    ...s,
    history: [...s.history, { ...entry, key: String(e.seq) } as Entry],
  });
  switch (e.type) {
    case 'run_started':
      return { ...s, runId: e.runId, mode: e.mode, model: e.model, vars: e.vars, startedAt: Date.parse(e.ts), checklist: checklistOf(s.playbook, e) };
    case 'run_resumed':
      return { ...add({ kind: 'notice', level: 'info', message: `resumed after event ${e.fromSeq}` }), runId: e.runId };
    case 'step_entered':
      return { ...add({ kind: 'step', step: e.step, title: titleOf(s, e.step), attempt: e.attempt }), step: e.step, attempt: e.attempt };
    case 'prompt_proposed':
      return { ...s, phase: 'deciding' };
    case 'decision':
      return add({ kind: 'decision', ref: e.ref, verdict: e.verdict, by: e.by, reason: e.reason });
    case 'prompt_sent':
      return { ...add({ kind: 'sent', promptId: e.promptId, text: e.text }), phase: 'agent' };
    case 'agent_text':
      return add({ kind: 'agent', text: e.text });
    case 'tool_call':
      return { ...s, tools: [...s.tools, { callId: e.callId, name: e.name, input: oneLine(JSON.stringify(e.input), 160) }] };
    case 'tool_result': {
      const call = s.tools.find((t) => t.callId === e.callId);
      const next = add({ kind: 'tool', name: call?.name ?? '?', input: call?.input ?? '', output: e.output, isError: e.isError });
      return { ...next, tools: s.tools.filter((t) => t.callId !== e.callId) };
    }
    case 'agent_turn_ended':
      return s;
    case 'budget_spent':
      return { ...s, spent: { turns: e.turns, tokens: e.tokens, dollars: e.dollars } };
    case 'command_started':
      return { ...s, phase: 'command', command: { commandId: e.commandId, step: e.step, command: e.command, tail: [], progress: startProgress(e.command, Date.parse(e.ts)) } };
    case 'command_output': {
      const c = s.command;
      if (!c || c.commandId !== e.commandId) return s;
      return { ...s, command: { ...c, tail: [...c.tail.slice(1 - TAIL), e.line], progress: progressLine(c.progress, e.line) } };
    }
    case 'command_exited': {
      const exit = e.exitCode === null ? `signal ${e.signal}` : `exit ${e.exitCode}`;
      const next = add({ kind: 'command', command: s.command?.command ?? e.commandId, exit, durationMs: e.durationMs, tail: e.tail.slice(-TAIL), metrics: e.metrics });
      return { ...next, command: undefined, phase: 'checking' };
    }
    case 'trigger_matched':
      return { ...add({ kind: 'trigger', remediation: e.remediation, line: e.line }), trigger: { remediation: e.remediation, line: e.line } };
    case 'remediation_chosen':
      return { ...add({ kind: 'remediation', remediation: e.remediation, action: e.action, why: e.why }), choice: { remediation: e.remediation, why: e.why } };
    case 'gate_judged': {
      const next = add({ kind: 'gate', check: e.check, passed: e.passed, detail: e.detail, checklist: e.scope === 'checklist' });
      if (e.scope !== 'checklist') return { ...next, phase: 'checking' };
      return { ...next, phase: 'checking', checklist: judgeItem(s.checklist, e.check, e.passed, e.detail) };
    }
    case 'commit_made':
      return add({ kind: 'commit', sha: e.sha, files: e.files.length });
    case 'step_done':
      return { ...s, outcomes: { ...s.outcomes, [e.step]: e.outcome } };
    case 'notice':
      return add({ kind: 'notice', level: e.level, message: e.message });
    case 'run_ended':
      return { ...add({ kind: 'end', verdict: e.verdict, reason: e.reason }), phase: 'ended', ended: { verdict: e.verdict, reason: e.reason }, command: undefined, tools: [] };
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Fills playbook variables in a title or label; an unknown one is shown as written. */
export function filled(text: string, vars: Record<string, string>): string {
  try {
    return renderTemplate(text, vars);
  } catch {
    return text;
  }
}

export function titleOf(s: ViewState, step: string): string | undefined {
  const title = s.playbook?.steps.find((x) => x.id === step)?.title;
  return title === undefined ? undefined : filled(title, s.vars);
}

/** Checklist labels as the engine names its checks: the item text with variables filled in. */
function checklistOf(pb: Playbook | undefined, e: Event & { type: 'run_started' }): ViewState['checklist'] {
  const vars = { ...e.vars, workspace: e.workspace, run_id: e.runId, branch: e.branch };
  return (pb?.checklist ?? []).map((i) => ({ label: filled(i.item, vars), state: 'pending' as const }));
}

function judgeItem(list: ViewState['checklist'], label: string, passed: boolean, detail: string): ViewState['checklist'] {
  const state: ItemState = passed ? 'passed' : 'failed';
  const i = list.findIndex((x) => x.label === label && x.state === 'pending');
  if (i < 0) return [...list, { label, state, detail }];
  return list.map((x, j) => (j === i ? { label, state, detail } : x));
}
