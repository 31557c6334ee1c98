import { Box, Text } from 'ink';
import type { Playbook } from '../playbook/schema.js';
import { formatDuration, timeLeft, type Progress } from './progress.js';
import { useColumns, useTheme } from './theme.js';
import type { ViewState } from './view-state.js';

/** `[#####.....]`, plain characters so it reads the same without colour. */
export function bar(done: number, total: number, width: number): string {
  const n = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
  return `[${'#'.repeat(n)}${'.'.repeat(width - n)}]`;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** One command's bar; `label` names its suite when several run at once. */
export function ProgressBar({ progress, now, label }: { progress: Progress; now: number; label?: string }) {
  const theme = useTheme();
  const columns = useColumns();
  const p = progress;
  const prefix = label === undefined ? '' : `${label} `;
  const width = Math.max(10, Math.min(40, columns - 60 - prefix.length));
  const of = p.total === undefined ? '' : ` of ${p.total}`;
  const success = p.successes === undefined ? '' : ` · ${p.successes} succeeded${p.episodes > 0 ? ` (${pct(p.successes / p.episodes)})` : ''}`;
  const left = timeLeft(p, now);
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        {prefix}
        <Text color={theme.accent}>{bar(p.episodes, p.total ?? 0, width)}</Text> {p.episodes}
        {of} episodes{success}
        {left === undefined ? '' : ` · ${formatDuration(left)} left`}
      </Text>
      {p.perTask.length > 0 && (
        <Text wrap="truncate-end" color={theme.muted}>
          {'  '}
          {prefix}
          {p.perTask
            .slice(-4)
            .map((t, i) => `task ${p.perTask.length - Math.min(4, p.perTask.length) + i + 1}: ${t.rate === undefined ? '…' : pct(t.rate)}`)
            .join('  ')}
        </Text>
      )}
    </Box>
  );
}

type RunStep = Extract<Playbook['steps'][number], { kind: 'run' }>;

/**
 * The playbook's run steps (its stages), each with its outcome; the running one with its bar, or
 * a bar per suite, labelled, when the step runs one command per suite at once.
 */
export function Stages({ state, now }: { state: ViewState; now: number }) {
  const theme = useTheme();
  const stages = (state.playbook?.steps ?? []).filter((s): s is RunStep => s.kind === 'run');
  if (stages.length === 0 && state.commands.length === 0) return null;
  const measured = state.commands.filter((c) => c.progress.episodes + (c.progress.total ?? 0) > 0);
  const width = Math.max(0, ...measured.map((c) => c.item?.length ?? 0));
  return (
    <Box flexDirection="column">
      <Text>
        {stages.map((s) => {
          const outcome = state.outcomes[s.id];
          const current = state.step === s.id && !outcome;
          const mark = outcome === 'passed' ? '✓' : outcome === 'failed' ? '✗' : current ? '▶' : '·';
          const color = outcome === 'passed' ? theme.ok : outcome === 'failed' ? theme.bad : current ? theme.accent : theme.muted;
          return (
            <Text key={s.id} color={color}>
              {mark} {s.stage ?? s.id}
              {'  '}
            </Text>
          );
        })}
      </Text>
      {measured.map((c) => (
        <ProgressBar key={c.commandId} progress={c.progress} now={now} label={c.item?.padEnd(width)} />
      ))}
    </Box>
  );
}
