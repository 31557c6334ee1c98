import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { Box, Text, useInput } from 'ink';
import type { HumanDecider } from '../runner/deciders.js';
import { ApprovalPrompt, type Answer, type Grounds } from './approval.js';
import { Checklist } from './checklist.js';
import { Header } from './header.js';
import { Help } from './help.js';
import { History, Live } from './history.js';
import { Stages } from './progress-bar.js';
import type { ViewStore } from './store.js';
import { TextEditor } from './text-editor.js';
import { ThemeContext, themeFor, useTheme, type Theme } from './theme.js';
import type { ViewState } from './view-state.js';

export interface AppProps {
  store: ViewStore;
  decider: HumanDecider;
  theme?: Theme;
  /** Milliseconds between clock ticks of the header's time. */
  tickMs?: number;
}

/** The terminal app: renders the event stream and relays the person's keys; it decides nothing. */
export function App({ theme = themeFor(process.env), ...props }: AppProps) {
  return (
    <ThemeContext.Provider value={theme}>
      <Screen {...props} />
    </ThemeContext.Provider>
  );
}

function useDecider(decider: HumanDecider) {
  const [, bump] = useState(0);
  useEffect(() => decider.onChange(() => bump((n) => n + 1)), [decider]);
  return { open: decider.open, mode: decider.mode, notes: decider.queuedNotes.length };
}

function useNow(tickMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), tickMs);
    return () => clearInterval(t);
  }, [tickMs]);
  return now;
}

function Screen({ store, decider, tickMs = 1000 }: Omit<AppProps, 'theme'>) {
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const { open, mode, notes } = useDecider(decider);
  const now = useNow(tickMs);
  const theme = useTheme();
  const [help, setHelp] = useState(false);
  const [writing, setWriting] = useState(false);
  const [editing, setEditing] = useState(false);
  const [wholeChecklist, setWholeChecklist] = useState(false);
  const [quitArmed, setQuitArmed] = useState(false);

  // Ctrl-C is heard even while a text editor has the keyboard.
  useInput((input, key) => {
    if (!(key.ctrl && input === 'c')) return;
    if (quitArmed) store.controls?.quit();
    else setQuitArmed(true);
  });
  useInput(
    (input, key) => {
      if (key.ctrl) return;
      setQuitArmed(false);
      if (input === '?') setHelp((h) => !h);
      else if (input === 'm') decider.setMode(mode === 'interactive' ? 'autopilot' : 'interactive');
      else if (input === 'p') setWriting(true);
      else if (input === 'c') setWholeChecklist((w) => !w);
      else if (key.escape && state.phase === 'agent') store.controls?.interrupt();
    },
    { isActive: !writing && !editing },
  );
  const onEditing = useCallback((e: boolean) => setEditing(e), []);
  const answer = (a: Answer) => {
    if (a.verdict === 'approve') decider.approve();
    else if (a.verdict === 'edit') decider.edit(a.text);
    else if (a.verdict === 'replace') decider.replace(a.text);
    else if (a.verdict === 'skip') decider.skip();
    else decider.abort();
  };
  const showChecklist = wholeChecklist || state.phase === 'ended' || state.checklist.some((i) => i.state !== 'pending');
  return (
    <>
      <History entries={state.history} />
      <Box flexDirection="column">
        <Live state={state} />
        <Header state={state} mode={mode} now={now} />
        <Stages state={state} now={now} />
        {showChecklist && <Checklist items={state.checklist} />}
        {open && !writing && (
          <ApprovalPrompt key={idOf(open.question)} open={open} grounds={groundsOf(state, open.question)} onAnswer={answer} onEditing={onEditing} />
        )}
        {writing && (
          <Box borderStyle="round" borderColor={theme.accent} paddingX={1}>
            <TextEditor
              label={open ? 'Note to the agent (sent with the prompt awaiting you)' : 'Prompt to the agent (sent when the current action ends)'}
              initial=""
              onSubmit={(text) => {
                // With a prompt awaiting approval the note joins it; otherwise it is a turn of its own.
                if (open || !store.controls) decider.note(text);
                else store.controls.say(text);
                setWriting(false);
              }}
              onCancel={() => setWriting(false)}
            />
          </Box>
        )}
        {help && <Help />}
        <Text color={quitArmed ? theme.warn : theme.muted} wrap="truncate-end">
          {quitArmed
            ? 'Press Ctrl-C again to quit; the run stays resumable.'
            : `? keys · p prompt · m mode · Esc interrupt · Ctrl-C×2 quit${notes ? ` · ${notes} note(s) queued for the next prompt` : ''}`}
        </Text>
      </Box>
    </>
  );
}

const idOf = (q: NonNullable<HumanDecider['open']>['question']) => (q.kind === 'prompt' ? q.promptId : q.ref);

/** The matched output line and the engine's reason, when the prompt comes from a remediation. */
function groundsOf(state: ViewState, q: NonNullable<HumanDecider['open']>['question']): Grounds | undefined {
  if (q.kind === 'ask') return state.choice ? { matched: state.trigger?.line, why: state.choice.why } : undefined;
  if (q.origin !== 'remediation') return undefined;
  const { trigger, choice } = state;
  const matched = trigger && trigger.remediation === q.remediation ? trigger.line : undefined;
  const why = q.reason ?? (choice && choice.remediation === q.remediation ? choice.why : undefined);
  return { matched, why };
}
