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
import { ThemeContext, themeFor, useRows, useTheme, type Theme } from './theme.js';
import type { ViewState } from './view-state.js';

export interface AppProps {
  store: ViewStore;
  decider: HumanDecider;
  theme?: Theme;
  /** Milliseconds between clock ticks of the header's time. */
  tickMs?: number;
  /** The agent and `modal` are the demo's stand-ins: the header says so and marks costs simulated. */
  standins?: boolean;
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

function Screen({ store, decider, tickMs = 1000, standins }: Omit<AppProps, 'theme'>) {
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const { open, mode, notes } = useDecider(decider);
  const now = useNow(tickMs);
  const theme = useTheme();
  const rows = useRows();
  const [help, setHelp] = useState(false);
  const [writing, setWriting] = useState(false);
  const [editing, setEditing] = useState(false);
  const [wholeChecklist, setWholeChecklist] = useState(false);
  const [quitArmed, setQuitArmed] = useState(false);
  const [stopAsked, setStopAsked] = useState(false);
  /** Esc stopped the agent's turn: the editor asks what to tell it instead. */
  const [redirect, setRedirect] = useState(false);

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
      if (stopAsked) {
        if (input === 'y') store.controls?.stopCommand?.();
        setStopAsked(false);
        return;
      }
      if (input === '?') setHelp((h) => !h);
      else if (input === 'm') decider.setMode(mode === 'interactive' ? 'autopilot' : 'interactive');
      else if (input === 'p' && !store.controls?.readOnly) setWriting(true);
      else if (input === 'c') setWholeChecklist((w) => !w);
      else if (key.escape && state.phase === 'agent' && store.controls && !store.controls.readOnly) {
        store.controls.interrupt();
        setRedirect(true);
        setWriting(true);
      } else if (key.escape && state.phase === 'command' && store.controls?.stopCommand) setStopAsked(true);
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
  // On a small terminal a question takes the screen below the header, so the whole prompt and
  // its keys stay in view; the help overlay likewise replaces what is under the header.
  const focused = help || (open !== undefined && rows < TALL);
  const around = focused ? 0 : liveRows(state) + stageRows(state) + (showChecklist ? state.checklist.length + 1 : 0);
  return (
    <>
      <History entries={state.history} />
      <Box flexDirection="column">
        {!focused && <Live state={state} />}
        <Header state={state} mode={mode} now={now} standins={standins} />
        {!focused && <Stages state={state} now={now} />}
        {!focused && showChecklist && <Checklist items={state.checklist} />}
        {open && !writing && !help && (
          <ApprovalPrompt
            key={idOf(open.question)}
            open={open}
            grounds={groundsOf(state, open.question)}
            onAnswer={answer}
            onEditing={onEditing}
            rows={rows - HEADER_ROWS - FOOTER_ROWS - around}
          />
        )}
        {writing && (
          <Box borderStyle="round" borderColor={theme.accent} paddingX={1}>
            <TextEditor
              label={
                open
                  ? 'Note to the agent (sent with the prompt awaiting you)'
                  : redirect
                    ? 'Turn stopped. What should the agent do instead? (sent as its next turn; Esc: nothing)'
                    : 'Prompt to the agent (sent when the current action ends)'
              }
              initial=""
              onSubmit={(text) => {
                // With a prompt awaiting approval the note joins it; otherwise it is a turn of its own.
                if (open || !store.controls) decider.note(text);
                else store.controls.say(text);
                setWriting(false);
                setRedirect(false);
              }}
              onCancel={() => {
                setWriting(false);
                setRedirect(false);
              }}
            />
          </Box>
        )}
        {help && <Help />}
        {stopAsked && <Text color={theme.warn}>Stop the running command? y stops it (its step is judged on what it printed), any other key goes back</Text>}
        <Text color={quitArmed ? theme.warn : theme.muted} wrap="truncate-end">
          {quitArmed
            ? 'Press Ctrl-C again to quit; the run stays resumable.'
            : `? keys · p prompt · m mode · Esc interrupt · Ctrl-C×2 quit${notes ? ` · ${notes} note(s) queued for the next prompt` : ''}`}
        </Text>
      </Box>
    </>
  );
}

/** Rows of a terminal tall enough to show the stages and the checklist beside a question. */
const TALL = 44;
/** The header's three lines; the key line under everything and one row Ink keeps free (a frame as tall as the terminal is redrawn whole each time). */
const HEADER_ROWS = 3;
const FOOTER_ROWS = 2;
const liveRows = (s: ViewState) => s.tools.length + s.commands.reduce((n, c) => n + 1 + Math.min(c.tail.length, s.commands.length > 1 ? 2 : c.tail.length), 0);
const stageRows = (s: ViewState) => (s.playbook?.steps.some((x) => x.kind === 'run') ? 1 : 0) + s.commands.filter((c) => c.progress.episodes + (c.progress.total ?? 0) > 0).length * 2;

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
