import { setup, initialTransition, transition } from 'xstate';
import type { Effect, EffectKind } from './effects.js';
import { type CompiledPlaybook, type EngineContext, initialContext } from './context.js';
import * as logic from './logic.js';
import { onCommandExited, onDecision, onGatesDone, onTurnEnded, recordGate, spend } from './transitions.js';
import type { Event, EventOf } from '../events/schema.js';

/**
 * The playbook compiled to an XState v5 machine whose shape is the playbook's: a state per step
 * (`steps.<id>`), and in each the phases the step passes through while the run waits on
 * something (a decision, the agent's turn, a command, the gates), then the checklist and the
 * end. The decisions themselves are pure functions (logic.ts, transitions.ts); `dispatch` moves
 * the machine to the step and phase their result waits on. Effects leave the machine as typed
 * actions, one per effect kind. The machine consumes log events directly, so resuming a run is
 * folding its log, and replay is feeding recorded events.
 */

/** Only these events move the engine; the rest (output lines, agent text) are skipped cheaply. */
export const ENGINE_EVENTS = new Set<Event['type']>([
  'run_started',
  'run_resumed',
  'decision',
  'agent_turn_ended',
  'command_exited',
  'trigger_matched',
  'gate_judged',
]);

/** What a step waits on while it is the current step. */
export const PHASES = ['deciding', 'agent', 'running', 'checking'] as const;
export type Phase = (typeof PHASES)[number];

/** The phase a step starts in: a prompt is proposed, a command run, checks judged. */
export const ENTRY = { prompt: 'deciding', run: 'running', check: 'checking' } as const satisfies Record<string, Phase>;

const PHASE_OF: Record<Exclude<EffectKind, 'emit'>, Phase> = {
  decide: 'deciding',
  send_prompt: 'agent',
  run_command: 'running',
  run_commands: 'running',
  run_checks: 'checking',
};

/** The phase the context waits in, or undefined when it waits on nothing. */
export function phaseOf(ctx: EngineContext): Phase | undefined {
  return ctx.pending && ctx.pending.kind !== 'emit' ? PHASE_OF[ctx.pending.kind] : undefined;
}

/** Effects as typed actions: each kind is its own action, its params the effect itself. */
const effectAction =
  <K extends EffectKind>() =>
  (_: unknown, _params: Effect & { kind: K }) =>
    undefined;

type Result = logic.Result;

/** The typed action of an effect: its kind names the action, the effect is its params. */
type EffectAction = { [K in EffectKind]: { type: K; params: Effect & { kind: K } } }[EffectKind];
const asAction = (effect: Effect): EffectAction => ({ type: effect.kind, params: effect }) as EffectAction;

export function createEngineMachine(pb: CompiledPlaybook) {
  const answers = (ctx: EngineContext, ref: string | undefined, kind: Effect['kind']) => {
    const p = ctx.pending;
    if (!p || p.kind !== kind) return false;
    if (p.kind === 'decide') return (p.question.kind === 'prompt' ? p.question.promptId : p.question.ref) === ref;
    if (p.kind === 'send_prompt') return p.promptId === ref;
    if (p.kind === 'run_command') return p.commandId === ref;
    if (p.kind === 'run_commands') return p.runs.some((r) => r.commandId === ref);
    return true;
  };

  const machine = setup({
    types: { context: {} as EngineContext, events: {} as Event },
    actions: {
      // Effects are data for the runner; executing them here would make the transition impure.
      emit: effectAction<'emit'>(),
      decide: effectAction<'decide'>(),
      send_prompt: effectAction<'send_prompt'>(),
      run_command: effectAction<'run_command'>(),
      run_commands: effectAction<'run_commands'>(),
      run_checks: effectAction<'run_checks'>(),
    },
    guards: {
      answersDecision: ({ context, event }) => answers(context, (event as EventOf<'decision'>).ref, 'decide'),
      answersTurn: ({ context, event }) => answers(context, (event as EventOf<'agent_turn_ended'>).promptId, 'send_prompt'),
      answersCommand: ({ context, event }) =>
        answers(context, (event as EventOf<'command_exited'>).commandId, context.pending?.kind === 'run_commands' ? 'run_commands' : 'run_command'),
      lastGate: ({ context }) => context.gates.results.length + 1 >= context.gates.expected,
    },
  });

  /** Wraps a decision into an action that assigns its context and enqueues its effects as typed actions. */
  const apply = <E extends Event>(fn: (ctx: EngineContext, event: E) => Result) =>
    machine.enqueueActions(({ context, event, enqueue }) => {
      const now = Date.parse((event as Event).ts);
      const ctx = Number.isNaN(now) ? context : { ...context, now };
      const r = fn(ctx, event as E);
      enqueue.assign(() => r.ctx);
      for (const effect of r.effects) enqueue(asAction(effect));
    });

  const back = '#dispatch';
  /** The phases every step shares: what answers each, and the decision it leads to. */
  const phases = {
    deciding: { on: { decision: { guard: 'answersDecision', target: back, actions: apply(onDecision(pb)) } } },
    agent: { on: { agent_turn_ended: { guard: 'answersTurn', target: back, actions: apply(onTurnEnded(pb)) } } },
    running: { on: { command_exited: { guard: 'answersCommand', target: back, actions: apply(onCommandExited(pb)) } } },
    checking: {
      on: {
        gate_judged: [
          { guard: 'lastGate', target: back, actions: apply(onGatesDone(pb)) },
          { actions: apply<EventOf<'gate_judged'>>((ctx, e) => ({ ctx: recordGate(ctx, e), effects: [] })) },
        ],
      },
    },
  } as const;
  const steps = pb.playbook.steps;
  /** dispatch: to the end, the checklist, or the current step's phase. */
  const routes = [
    { guard: ({ context }: { context: EngineContext }) => context.verdict !== null, target: 'ended' },
    {
      guard: ({ context }: { context: EngineContext }) => context.pending?.kind === 'run_checks' && context.pending.scope === 'checklist',
      target: 'checklist',
    },
    ...steps.flatMap((step, i) =>
      PHASES.map((phase) => ({
        guard: ({ context }: { context: EngineContext }) => context.stepIndex === i && phaseOf(context) === phase,
        target: `steps.${step.id}.${phase}`,
      })),
    ),
  ];

  return machine.createMachine({
    id: pb.playbook.name,
    context: initialContext(),
    initial: 'idle',
    on: {
      trigger_matched: {
        actions: machine.enqueueActions(({ context, event, enqueue }) => {
          const e = event as EventOf<'trigger_matched'>;
          const hit = { remediation: e.remediation, source: e.source, line: e.line, groups: e.groups, ...(e.item !== undefined && { item: e.item }) };
          enqueue.assign({ hits: [...context.hits, hit] });
        }),
      },
      // A turn the engine did not ask for (the person's own prompt): it moves nothing, but it
      // is paid for, so it counts against the budgets.
      agent_turn_ended: {
        actions: machine.enqueueActions(({ context, event, enqueue }) => {
          const spent = spend(context, event as EventOf<'agent_turn_ended'>);
          enqueue.assign({ spent });
          enqueue({ type: 'emit', params: { kind: 'emit', event: { type: 'budget_spent', ...spent, wallMs: context.now - context.startedAt } } });
        }),
      },
      // A killed run resumes by folding its log, then asking again for what it was waiting on.
      run_resumed: { actions: apply((ctx) => resumed(ctx)) },
    },
    states: {
      idle: {
        on: {
          run_started: {
            target: 'dispatch',
            actions: apply<EventOf<'run_started'>>((ctx, e) => {
              const start = Date.parse(e.ts);
              const base = { ...ctx, runId: e.runId, workspace: e.workspace, branch: e.branch, startedAt: start, now: start };
              return logic.enterStep(pb, base, 0);
            }),
          },
        },
      },
      dispatch: { id: 'dispatch', always: routes },
      steps: {
        initial: steps[0]!.id,
        states: Object.fromEntries(steps.map((step) => [step.id, { initial: ENTRY[step.kind], states: phases }])),
      },
      checklist: phases.checking,
      ended: { type: 'final' },
    },
  });
}

/** What a resumed run asks for again: the effect it waited on; checks are redone whole. */
function resumed(ctx: EngineContext): Result {
  if (!ctx.pending) return { ctx, effects: [] };
  const next = ctx.pending.kind === 'run_checks' ? { ...ctx, gates: { ...ctx.gates, results: [] } } : ctx;
  return { ctx: next, effects: [ctx.pending] };
}

export type EngineMachine = ReturnType<typeof createEngineMachine>;

export { initialTransition, transition };
