import { Box, Static, Text } from 'ink';
import { useTheme } from './theme.js';
import { type Entry, type ViewState } from './view-state.js';
import { oneLine } from '../one-line.js';

const figures = (m: Record<string, number>) =>
  Object.entries(m)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(3)}`)
    .join(' ');

/** One finished thing that happened. Tool results are folded to their first line. */
export function EntryView({ entry: e }: { entry: Entry }) {
  const t = useTheme();
  switch (e.kind) {
    case 'step':
      return (
        <Text bold>
          ▶ step {e.step}
          {e.title ? `: ${e.title}` : ''}
          {e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}
        </Text>
      );
    case 'sent':
      return <Text color={t.accent}>  → sent {e.promptId}: {oneLine(e.text, 140)}</Text>;
    case 'decision':
      return (
        <Text color={t.muted}>
          {'  '}decision on {e.ref}: {e.verdict} by {e.by}
          {e.reason ? ` (${e.reason})` : ''}
        </Text>
      );
    case 'agent':
      return <Text wrap="wrap">  {e.text.trim()}</Text>;
    case 'tool': {
      const lines = e.output.split('\n').filter((l) => l.trim() !== '');
      return (
        <Text wrap="truncate-end" color={e.isError ? t.bad : undefined}>
          {'  '}⚙ {e.name} <Text color={t.muted}>{e.input}</Text> → {oneLine(lines[0] ?? '(no output)', 100)}
          {lines.length > 1 ? <Text color={t.muted}> (+{lines.length - 1} lines)</Text> : null}
        </Text>
      );
    }
    case 'command':
      return (
        <Box flexDirection="column">
          <Text>
            {'  '}
            {e.item === undefined ? '' : `[${e.item}] `}$ {e.command}{' '}
            <Text color={e.exit === 'exit 0' ? t.ok : t.bad}>
              {e.exit} in {(e.durationMs / 1000).toFixed(1)} s
            </Text>
            {Object.keys(e.metrics).length ? <Text color={t.muted}> {figures(e.metrics)}</Text> : null}
          </Text>
          {e.exit !== 'exit 0' &&
            e.tail.map((l, i) => (
              <Text key={i} color={t.muted} wrap="truncate-end">
                {'    | '}
                {l}
              </Text>
            ))}
        </Box>
      );
    case 'trigger':
      return (
        <Text color={t.warn} wrap="truncate-end">
          {'  '}! matched {e.remediation}
          {e.item === undefined ? '' : ` [${e.item}]`}: {e.line}
        </Text>
      );
    case 'remediation':
      return <Text color={t.warn}>  ↻ remediation {e.remediation} ({e.action}): {oneLine(e.why, 140)}</Text>;
    case 'gate':
      return (
        <Text color={e.passed ? t.ok : t.bad} wrap="truncate-end">
          {'  '}
          {e.passed ? '✓' : '✗'} {e.checklist ? 'checklist: ' : ''}
          {e.check}
          {e.passed ? '' : `: ${oneLine(e.detail, 120)}`}
        </Text>
      );
    case 'commit':
      return <Text color={t.muted}>  commit {e.sha.slice(0, 8)}: {e.files} file(s)</Text>;
    case 'notice':
      return <Text color={e.level === 'error' ? t.bad : e.level === 'warn' ? t.warn : t.muted}>  {e.level}: {e.message}</Text>;
    case 'end':
      return (
        <Text bold color={e.verdict === 'passed' ? t.ok : t.bad}>
          run ended: {e.verdict}: {e.reason}
        </Text>
      );
  }
}

/** Finished history is written once above the live area and never redrawn: no flicker. */
export function History({ entries }: { entries: Entry[] }) {
  return <Static items={entries}>{(e) => <EntryView key={e.key} entry={e} />}</Static>;
}

/**
 * What is in flight: tool calls awaiting their results, the running commands' last lines. Several
 * commands at once (a step fanned out over suites) each show fewer lines, labelled by suite.
 */
export function Live({ state }: { state: ViewState }) {
  const t = useTheme();
  const lines = state.commands.length > 1 ? 2 : Infinity;
  return (
    <Box flexDirection="column">
      {state.tools.map((c) => (
        <Text key={c.callId} color={t.accent} wrap="truncate-end">
          {'  '}⚙ {c.name} <Text color={t.muted}>{c.input}</Text> …
        </Text>
      ))}
      {state.commands.map((c) => (
        <Box key={c.commandId} flexDirection="column">
          <Text color={t.accent} wrap="truncate-end">
            {'  '}
            {c.item === undefined ? '' : `[${c.item}] `}$ {c.command} …
          </Text>
          {c.tail.slice(-lines).map((l, i) => (
            <Text key={i} color={t.muted} wrap="truncate-end">
              {'    | '}
              {l}
            </Text>
          ))}
        </Box>
      ))}
    </Box>
  );
}
