import { Box, Text } from 'ink';
import { parseDuration } from '../playbook/duration.js';
import { formatDuration } from './progress.js';
import { useTheme } from './theme.js';
import { titleOf, type Phase, type ViewState } from './view-state.js';

const PHASE: Record<Phase, string> = {
  starting: 'starting',
  deciding: 'waiting for a decision',
  agent: 'agent working',
  command: 'running a command',
  checking: 'checking',
  ended: 'ended',
};

const of = (spent: string, limit: string | undefined) => (limit === undefined ? spent : `${spent}/${limit}`);

/** Playbook, run, mode; step, stage and what the run waits on; budgets spent against limits. */
export function Header({ state, mode, now, standins }: { state: ViewState; mode: string; now: number; standins?: boolean }) {
  const theme = useTheme();
  const b = state.playbook?.budgets;
  const step = state.step && state.playbook?.steps.find((s) => s.id === state.step);
  const stage = step && step.kind === 'run' ? step.stage : undefined;
  const title = state.step ? titleOf(state, state.step) : undefined;
  const elapsed = state.startedAt === undefined ? 0 : now - state.startedAt;
  const wall = b?.wall_time === undefined ? undefined : formatDuration(parseDuration(b.wall_time));
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold color={theme.accent}>
          labpilot
        </Text>{' '}
        {state.playbook?.name ?? '…'}
        {state.runId ? ` · run ${state.runId}` : ''} ·{' '}
        <Text bold color={mode === 'autopilot' ? theme.warn : theme.ok}>
          {mode}
        </Text>
        {state.model ? <Text color={theme.muted}> · {standins ? `stand-in agent playing ${state.model}, modal stand-in` : state.model}</Text> : null}
        {state.sandbox ? <Text color={state.sandbox.enabled ? theme.muted : theme.warn}> · sandbox {state.sandbox.enabled ? 'on' : 'OFF'}</Text> : null}
      </Text>
      <Text wrap="truncate-end">
        step {state.step ?? '–'}
        {title ? ` (${title})` : ''}
        {state.attempt && state.attempt > 1 ? ` attempt ${state.attempt}` : ''}
        {stage ? ` · stage ${stage}` : ''} ·{' '}
        <Text color={theme.muted}>{state.phase === 'command' && state.commands.length > 1 ? `running ${state.commands.length} commands` : PHASE[state.phase]}</Text>
      </Text>
      <Text wrap="truncate-end" color={theme.muted}>
        spent {of(`$${state.spent.dollars.toFixed(2)}`, b?.dollars === undefined ? undefined : `$${b.dollars}`)}
        {standins ? ' simulated' : ''} · tokens{' '}
        {of(String(state.spent.tokens), b?.tokens === undefined ? undefined : String(b.tokens))} · turns{' '}
        {of(String(state.spent.turns), b?.turns === undefined ? undefined : String(b.turns))} · time {of(formatDuration(elapsed), wall)}
      </Text>
    </Box>
  );
}
