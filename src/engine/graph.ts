import type { StateValue } from 'xstate';
import { type CompiledPlaybook, rulesFor } from './context.js';
import { createEngineMachine, ENTRY, PHASES, type Phase } from './machine.js';
import type { Then } from '../playbook/schema.js';

/**
 * The compiled machine's shape, for drawing (`labpilot graph`): its states as the machine has
 * them (`idle`, `steps.<id>.<phase>`, `checklist`, `ended`) and the transitions a run can take
 * between them, each named by the event that takes it and why (a gate result, a remediation).
 * The routing state `dispatch` is folded into the edges it routes. Every run's path through the
 * machine follows these edges (tested by simulating runs).
 */

export interface GraphState {
  id: string;
  kind: 'start' | 'step' | 'checklist' | 'end';
  step?: string;
  phase?: Phase;
}

export interface GraphTransition {
  from: string;
  to: string;
  /** The event that takes it. */
  on: string;
  /** Why, when the event alone does not say: `passed`, `failed: <rule>`, `retry`. */
  label?: string;
}

export interface MachineGraph {
  states: GraphState[];
  transitions: GraphTransition[];
}

/** `{ steps: { smoke: 'running' } }` -> `steps.smoke.running`. */
export function stateIdOf(value: StateValue): string {
  if (typeof value === 'string') return value;
  const [key, child] = Object.entries(value)[0] ?? ['', ''];
  return child === undefined ? key : `${key}.${stateIdOf(child as StateValue)}`;
}

export function machineGraph(pb: CompiledPlaybook): MachineGraph {
  const machine = createEngineMachine(pb);
  const states: GraphState[] = [{ id: 'idle', kind: 'start' }];
  for (const step of Object.keys(machine.root.states.steps?.states ?? {})) {
    for (const phase of PHASES) states.push({ id: at(step, phase), kind: 'step', step, phase });
  }
  states.push({ id: 'checklist', kind: 'checklist' }, { id: 'ended', kind: 'end' });

  const edges = new Map<string, GraphTransition>();
  const add = (from: string, to: string, on: string, label?: string) => {
    const t: GraphTransition = { from, to, on, ...(label !== undefined && { label }) };
    edges.set(JSON.stringify(t), t);
  };
  const steps = pb.playbook.steps;
  const entry = (id: string | undefined): string => {
    const step = steps.find((s) => s.id === id);
    if (step) return at(step.id, ENTRY[step.kind]);
    return (pb.playbook.checklist ?? []).length > 0 ? 'checklist' : 'ended';
  };
  const after = (i: number): string => entry(steps[i]!.next ?? steps[i + 1]?.id);

  add('idle', entry(steps[0]?.id), 'run_started');
  steps.forEach((step, i) => {
    const own = (phase: Phase) => at(step.id, phase);
    // The step's own action, then its gates (a run step always has its exit code as one).
    const judged = step.done_when?.length || step.kind === 'run' ? own('checking') : after(i);
    if (step.kind === 'prompt') add(own('deciding'), own('agent'), 'decision', 'approve');
    add(own('deciding'), judged, 'decision', 'skip');
    add(own('agent'), judged, 'agent_turn_ended');
    add(own('running'), judged, 'command_exited');
    add(own('checking'), after(i), 'gate_judged', 'passed');
    add(own('checking'), step.on_fail === 'continue' ? after(i) : 'ended', 'gate_judged', 'failed');
    if (step.kind === 'prompt') add(own('checking'), own('deciding'), 'gate_judged', 'failed: retry with feedback');
    for (const rule of rulesFor(pb, step.id)) {
      const then = rule.then;
      const retry = 'retry' in then && then.retry !== undefined ? then.retry : step.id;
      const back = retry === step.id && step.kind === 'prompt' ? judged : entry(retry);
      for (const edge of REMEDIATION_EDGES[then.action](own, back, rule.id)) add(...edge);
    }
  });
  add('checklist', 'ended', 'gate_judged');
  for (const s of states) if (s.kind === 'step' && s.phase === 'deciding') add(s.id, 'ended', 'decision', 'abort');

  // Entering a step checks its attempts and the budgets: whatever enters one may end the run instead.
  const entries = new Set(steps.map((s) => entry(s.id)));
  for (const t of [...edges.values()]) if (entries.has(t.to) && t.label !== 'approve') add(t.from, 'ended', t.on, 'budget or attempts spent');
  // Phases no path from the start reaches (a prompt step never runs a command unless a rule
  // does) are left out, with the transitions that would leave them.
  const reached = new Set(['idle']);
  for (let grew = true; grew; ) {
    grew = false;
    for (const t of edges.values()) if (reached.has(t.from) && !reached.has(t.to)) grew = Boolean(reached.add(t.to));
  }
  return { states: states.filter((s) => reached.has(s.id)), transitions: [...edges.values()].filter((t) => reached.has(t.from)) };
}

type Edge = [from: string, to: string, on: string, label?: string];
type EdgesOf = (own: (phase: Phase) => string, back: string, rule: string) => Edge[];

/** A rule that asks the agent or the person: the step's failure goes to `deciding`, its answer back. */
const asked: EdgesOf = (own, back, rule) => [
  [own('checking'), own('deciding'), 'gate_judged', `failed: ${rule}`],
  [own('deciding'), back, 'decision', 'skip'],
  [own('agent'), back, 'agent_turn_ended', `after ${rule}`],
];

/**
 * The transitions a remediation adds to the step it fires in, by its action (`back` is the state
 * it retries). Keyed by every action, so a new one does not compile until it says its edges.
 */
const REMEDIATION_EDGES: Record<Then['action'], EdgesOf> = {
  prompt: (own, back, rule) => [...asked(own, back, rule), [own('deciding'), own('agent'), 'decision', 'approve']],
  ask: asked,
  escalate: asked,
  run: (own, back, rule) => [
    [own('checking'), own('running'), 'gate_judged', `failed: ${rule}`],
    [own('running'), back, 'command_exited', `after ${rule}`],
  ],
  abort: (own, _back, rule) => [[own('checking'), 'ended', 'gate_judged', `failed: ${rule}`]],
};

function at(step: string, phase: Phase): string {
  return `steps.${step}.${phase}`;
}
