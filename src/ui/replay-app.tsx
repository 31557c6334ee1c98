import { useMemo, useState } from 'react';
import { Box, render, Text, useApp, useInput } from 'ink';
import { formatPlain } from '../commands/printer.js';
import { similarityText } from '../replay/measure/report.js';
import type { Event } from '../events/schema.js';
import { Help } from './help.js';
import { EntryView } from './history.js';
import { nextMatch, previousMatch, StateAt, type ReplayPoint, type ReplayWalk } from './replay-points.js';
import { ThemeContext, themeFor, useTheme, type Theme } from './theme.js';
import { titleOf, type ViewState } from './view-state.js';
import { oneLine } from '../one-line.js';

export const REPLAY_KEYS: Array<[string, string]> = [
  ['n / →', 'next point'],
  ['p / ←', 'previous point'],
  ['t', 'jump to the next point where a trigger matched or the playbook missed'],
  ['T', 'jump back to the previous such point'],
  ['q', 'quit'],
  ['?', 'show or hide these keys'],
];

/** History entries shown under the point: what led up to it. */
const RECENT = 5;

const VERDICT: Record<NonNullable<ReplayPoint['coverage']>['verdict'], string> = {
  covered: 'covered: the playbook would have said what the person said',
  missed: 'MISSED: the person followed up where no rule fired, or a rule would say something else',
  unanswered: 'a rule fired; the person did nothing',
  step: 'next step',
};

/** `labpilot replay --step`: one point of a replayed run or transcript at a time, read-only. */
export function ReplayApp({ walk, theme = themeFor(process.env) }: { walk: ReplayWalk; theme?: Theme }) {
  return (
    <ThemeContext.Provider value={theme}>
      <Stepper walk={walk} />
    </ThemeContext.Provider>
  );
}

function Stepper({ walk }: { walk: ReplayWalk }) {
  const t = useTheme();
  const { exit } = useApp();
  const [k, setK] = useState(0);
  const [help, setHelp] = useState(false);
  const [note, setNote] = useState<string>();
  const fold = useMemo(() => new StateAt(walk), [walk]);
  const last = walk.points.length - 1;
  useInput((input, key) => {
    setNote(undefined);
    if (input === 'n' || key.rightArrow) setK((i) => Math.min(i + 1, last));
    else if (input === 'p' || key.leftArrow) setK((i) => Math.max(i - 1, 0));
    else if (input === 't' || input === 'T') {
      const to = input === 't' ? nextMatch(walk.points, k) : previousMatch(walk.points, k);
      if (to === undefined) setNote(`no ${input === 't' ? 'later' : 'earlier'} point where a trigger matched or the playbook missed`);
      else setK(to);
    } else if (input === '?') setHelp((h) => !h);
    else if (input === 'q') exit();
  });
  const point = walk.points[k];
  if (!point) return <Text>labpilot replay {walk.title}: nothing to step through (no events)</Text>;
  const state = fold.at(point);
  const event = walk.events[point.at]!;
  return (
    <Box flexDirection="column">
      <Text bold color={t.accent}>
        labpilot replay {walk.title} · point {k + 1} of {walk.points.length}
        {k === last ? ' (last)' : ''}
      </Text>
      {walk.note && <Text color={t.warn}>{walk.note}</Text>}
      <StateLine state={state} point={point} />
      <Text wrap="truncate-end">
        event #{event.seq}
        {point.line !== undefined ? ` (line ${point.line})` : ''} {event.type}: {describe(event)}
      </Text>
      <Matches point={point} />
      {point.coverage && <CoverageView point={point} />}
      {state.history.length > 0 && (
        <Box flexDirection="column" marginTop={1}>
          <Text color={t.muted}>so far:</Text>
          {state.history.slice(-RECENT).map((e) => (
            <EntryView key={e.key} entry={e} />
          ))}
        </Box>
      )}
      {note && <Text color={t.warn}>{note}</Text>}
      {help ? <Help keys={REPLAY_KEYS} /> : <Text color={t.muted}>n/→ next · p/← previous · t/T next/previous trigger · q quit · ? keys</Text>}
    </Box>
  );
}

/** The engine's state at the point: step, attempt, phase, spending, outcomes so far. */
function StateLine({ state, point }: { state: ViewState; point: ReplayPoint }) {
  const step = point.coverage?.step ?? state.step;
  const title = step === undefined ? undefined : titleOf(state, step);
  const outcomes = Object.entries(state.outcomes).map(([s, o]) => `${s} ${o}`);
  const parts = [
    step === undefined ? 'no step yet' : `step ${step}${title ? ` (${title})` : ''}${state.attempt && state.attempt > 1 ? ` attempt ${state.attempt}` : ''}`,
    `phase ${state.phase}`,
    `turns ${state.spent.turns} · $${state.spent.dollars.toFixed(2)}`,
  ];
  if (outcomes.length) parts.push(`done: ${outcomes.join(', ')}`);
  if (state.ended) parts.push(`ended ${state.ended.verdict}`);
  return <Text wrap="truncate-end">{parts.join(' · ')}</Text>;
}

function Matches({ point }: { point: ReplayPoint }) {
  const t = useTheme();
  if (point.matches.length === 0) return <Text color={t.muted}>matches: none</Text>;
  return (
    <Box flexDirection="column">
      <Text>matches: {point.matches.length}</Text>
      {point.matches.map((m, i) => (
        <Text key={i} color={t.warn} wrap="truncate-end">
          {'  '}! {m.remediation} ({m.source.replace('_', ' ')}): {oneLine(m.line, 160)}
        </Text>
      ))}
    </Box>
  );
}

/** A transcript measured against a playbook: what the playbook would send, what the person sent. */
function CoverageView({ point }: { point: ReplayPoint }) {
  const t = useTheme();
  const c = point.coverage!;
  return (
    <Box flexDirection="column">
      <Text color={c.verdict === 'missed' ? t.bad : c.verdict === 'covered' ? t.ok : undefined}>
        coverage: {VERDICT[c.verdict]}
        {c.remediation && c.verdict === 'covered' ? ` (${c.remediation.rule})` : ''}
      </Text>
      {c.similarity !== undefined && (
        <Text wrap="truncate-end">
          {'  '}similarity: the playbook's text says {similarityText(c.similarity)} of what the person said
        </Text>
      )}
      {c.remediation && (
        <Text wrap="truncate-end">
          {'  '}playbook would send {c.remediation.rule}: {oneLine(c.remediation.text.replace(/^#+\s*/gm, ''), 160)}
        </Text>
      )}
      <Text wrap="truncate-end">
        {'  '}person sent: {c.followUp === undefined ? '(nothing: the transcript ends)' : oneLine(c.followUp, 160)}
      </Text>
    </Box>
  );
}

/** The event in a line: the console's wording where it has one, else its fields. */
function describe(e: Event): string {
  if (e.type === 'prompt_sent') return oneLine(e.text, 160);
  const plain = formatPlain(e, true);
  if (plain !== undefined) return plain.trim();
  const { seq: _seq, ts: _ts, type: _type, ...rest } = e;
  return oneLine(JSON.stringify(rest), 160);
}

/** Draws the screen on this process's terminal and resolves when the person quits. */
export async function stepThrough(walk: ReplayWalk, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const ink = render(<ReplayApp walk={walk} theme={themeFor(env)} />);
  await ink.waitUntilExit();
}
