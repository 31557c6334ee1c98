import type { Event, Mode, Verdict } from '../events/schema.js';
import type { Playbook } from '../playbook/schema.js';
import { renderTemplate } from '../playbook/template.js';
import { diagnosis, failedExit } from '../runs/diagnosis.js';
import { progressLine, startProgress, type Progress } from './progress.js';
import { oneLine } from '../one-line.js';

/**
 * What the terminal app shows, folded from the event stream alone (docs/architecture.md, "One
 * event stream"): the app keeps no state the run log lacks. `history` only grows, so it can live
 * in Ink's <Static> and never redraw; everything in flight (tool calls, the running commands) is
 * `live`.
 */
export type Entry = { key: string } & (
  | { kind: 'step'; step: string; title?: string; attempt: number }
  | { kind: 'sent'; promptId: string; text: string }
  | { kind: 'decision'; ref: string; verdict: string; by: string; reason?: string }
  | { kind: 'agent'; text: string }
  | { kind: 'tool'; name: string; input: string; output: string; isError: boolean }
  | { kind: 'command'; command: string; item?: string; exit: string; durationMs: number; tail: string[]; metrics: Record<string, number> }
  | { kind: 'trigger'; remediation: string; item?: string; line: string }
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
  /** The item of a step fanned out over a list (`for_each`): one command per item, all at once. */
  item?: string;
  command: string;
  tail: string[];
  progress: Progress;
}

export interface ViewState {
  playbook?: Playbook;
  runId?: string;
  mode?: Mode;
  model?: string;
  /** Whether the run's commands are in the OS sandbox (from run_started). */
  sandbox?: { enabled: boolean; detail: string };
  vars: Record<string, string>;
  step?: string;
  attempt?: number;
  phase: Phase;
  spent: { turns: number; tokens: number; dollars: number };
  startedAt?: number;
  history: Entry[];
  tools: Array<{ callId: string; name: string; input: string }>;
  /** The commands running now: one, or one per item of a fanned-out step, in the order they started. */
  commands: LiveCommand[];
  /** The latest trigger and remediation choice, shown beside a remediation's prompt. */
  trigger?: { remediation: string; line: string };
  choice?: { remediation: string; why: string };
  outcomes: Record<string, 'passed' | 'failed'>;
  checklist: Array<{ label: string; state: ItemState; detail?: string }>;
  ended?: { verdict: Verdict; reason: string };
}

const TAIL = 6;

export function initialView(playbook?: Playbook): ViewState {
  return { playbook, vars: {}, phase: 'starting', spent: { turns: 0, tokens: 0, dollars: 0 }, history: [], tools: [], commands: [], outcomes: {}, checklist: [] };
}

export function foldView(s: ViewState, e: Event): ViewState {
  const add = (entry: DistributiveOmit<Entry, 'key'>): ViewState => ({
    ...s,
    history: [...s.history, { ...entry, key: String(e.seq) } as Entry],
  });
  switch (e.type) {
    case 'run_started':
      return { ...s, runId: e.runId, mode: e.mode, model: e.model, sandbox: e.sandbox, vars: e.vars, startedAt: Date.parse(e.ts), checklist: checklistOf(s.playbook, e) };
    case 'run_resumed':
      // Whatever was running when the run stopped is gone; a resume starts its commands anew.
      return { ...add({ kind: 'notice', level: 'info', message: `resumed after event ${e.fromSeq}` }), runId: e.runId, commands: [] };
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
    case 'command_started': {
      const started: LiveCommand = { commandId: e.commandId, step: e.step, ...item(e), command: e.command, tail: [], progress: startProgress(e.command, Date.parse(e.ts)) };
      return { ...s, phase: 'command', commands: [...s.commands.filter((c) => runsAlongside(c, e)), started] };
    }
    case 'command_output': {
      const i = s.commands.findIndex((c) => c.commandId === e.commandId);
      if (i < 0) return s;
      const c = s.commands[i]!;
      const next = { ...c, tail: [...c.tail.slice(1 - TAIL), e.line], progress: progressLine(c.progress, e.line) };
      return { ...s, commands: s.commands.map((x, j) => (j === i ? next : x)) };
    }
    case 'command_exited': {
      const exit = e.exitCode === null ? `signal ${e.signal}` : `exit ${e.exitCode}`;
      const live = s.commands.find((c) => c.commandId === e.commandId);
      const next = add({ kind: 'command', command: live?.command ?? e.commandId, ...item(e), exit, durationMs: e.durationMs, tail: failedExit(e) ? diagnosis(e.tail, TAIL) : [], metrics: e.metrics });
      const commands = s.commands.filter((c) => c !== live);
      return { ...next, commands, phase: commands.length > 0 ? 'command' : 'checking' };
    }
    case 'trigger_matched':
      return { ...add({ kind: 'trigger', remediation: e.remediation, ...item(e), line: e.line }), trigger: { remediation: e.remediation, line: e.line } };
    case 'remediation_chosen':
      return { ...add({ kind: 'remediation', remediation: e.remediation, action: e.action, why: e.why }), choice: { remediation: e.remediation, why: e.why } };
    case 'gate_judged': {
      const next = add({ kind: 'gate', check: e.check, passed: e.passed, detail: e.detail, checklist: e.scope === 'checklist' });
      // One suite's gates may be judged while the other suites' commands still run.
      const phase = s.commands.length > 0 ? 'command' : 'checking';
      if (e.scope !== 'checklist') return { ...next, phase };
      return { ...next, phase, checklist: judgeItem(s.checklist, e.check, e.passed, e.detail) };
    }
    case 'commit_made':
      return add({ kind: 'commit', sha: e.sha, files: e.files.length });
    case 'step_done':
      return { ...s, outcomes: { ...s.outcomes, [e.step]: e.outcome } };
    case 'notice':
      return add({ kind: 'notice', level: e.level, message: e.message });
    case 'run_ended':
      return { ...add({ kind: 'end', verdict: e.verdict, reason: e.reason }), phase: 'ended', ended: { verdict: e.verdict, reason: e.reason }, commands: [], tools: [] };
    case 'hook_called':
      return s;
    case 'hook_answered':
      return e.message ? add({ kind: 'notice', level: 'info', message: `Claude Code ${e.hook}: ${e.message}` }) : s;
    default:
      // The log's bookkeeping (whole replies, sessions, processes) shows nothing new.
      return s;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** `{ item }` when the event names one, else nothing: without fan-out no entry has the key. */
const item = (e: { item?: string }) => (e.item === undefined ? {} : { item: e.item });

/**
 * Whether a running command stays when another starts: only the other items of the same
 * fanned-out step run alongside it. Anything else still listed never exited (its process was
 * stopped with the run) and the new command takes its place.
 */
const runsAlongside = (c: LiveCommand, e: { step: string; item?: string }) => e.item !== undefined && c.item !== undefined && c.step === e.step && c.item !== e.item;

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

/**
 * An item whose check reads a fanned-out step is judged once per item, as `<label> [<item>]`:
 * the first judgement takes the pending item's place, the others follow it in order.
 */
function judgeItem(list: ViewState['checklist'], label: string, passed: boolean, detail: string): ViewState['checklist'] {
  const judged = { label, state: (passed ? 'passed' : 'failed') as ItemState, detail };
  const i = list.findIndex((x) => x.label === label && x.state === 'pending');
  if (i >= 0) return list.map((x, j) => (j === i ? judged : x));
  const base = PER_ITEM.exec(label)?.[1];
  if (base === undefined) return [...list, judged];
  const pending = list.findIndex((x) => x.label === base && x.state === 'pending');
  if (pending >= 0) return list.map((x, j) => (j === pending ? judged : x));
  const after = list.findLastIndex((x) => PER_ITEM.exec(x.label)?.[1] === base);
  return after < 0 ? [...list, judged] : [...list.slice(0, after + 1), judged, ...list.slice(after + 1)];
}

const PER_ITEM = /^(.*) \[[^\]]+\]$/s;
