import type { ReactElement } from 'react';
import { render } from 'ink';
import type { Playbook } from '../playbook/schema.js';
import type { Event } from '../events/schema.js';
import type { EventBus } from '../runs/bus.js';
import type { Runner } from '../runner/runner.js';
import { HumanDecider, type PersonMode } from '../runner/deciders.js';
import { RunInterrupted } from '../errors.js';
import { App } from './app.js';
import { ViewStore } from './store.js';
import { themeFor } from './theme.js';

/** The terminal app as the run command sees it: a decider to pass on, a session to watch. */
export interface AppView {
  decider: HumanDecider;
  setPlaybook(playbook: Playbook): void;
  attach(session: { bus: EventBus; runner: Runner }, runId: string): void;
  /** Shows one event of a run followed from its log (watch). */
  show?(event: Event): void;
  /** Watching only: no keys act on the run; quitting stops watching. */
  readOnly?(quit: () => void): void;
  /** Shows a resumed run's state folded from its log before its new events arrive. */
  fold?(events: Event[]): void;
  /** What the run found, shown after its end. */
  summary?(lines: string[]): void;
  close(): Promise<void>;
}

export interface Mounted {
  unmount(): void;
  waitUntilExit?(): Promise<unknown>;
}

export interface AppViewOptions {
  mode: PersonMode;
  env?: NodeJS.ProcessEnv;
  /** Draws the app: Ink on this process's terminal by default; tests pass ink-testing-library's. */
  mount?: (app: ReactElement) => Mounted;
  /** The demo: the agent and `modal` are stand-ins, and the app says so. */
  standins?: boolean;
}

const onTerminal = (app: ReactElement): Mounted => render(app, { exitOnCtrlC: false });

/**
 * Mounts the app at once (the first frame shows before the engine and the SDK are loaded), then
 * follows the session's event stream once it exists. The person's interrupt and quit are logged
 * as notices before they take effect, so the log says why a turn or the run stopped.
 */
export function openAppView(o: AppViewOptions): AppView {
  const store = new ViewStore();
  let closed: Promise<void> | undefined;
  const decider = new HumanDecider(o.mode);
  const ink = (o.mount ?? onTerminal)(<App store={store} decider={decider} theme={themeFor(o.env ?? process.env)} standins={o.standins} />);
  return {
    decider,
    setPlaybook: (playbook) => store.setPlaybook(playbook),
    summary: (lines) => store.summary(lines),
    fold: (events) => store.fold(events),
    show: (event) => store.push(event),
    readOnly(quit) {
      store.controls = { readOnly: true, interrupt() {}, say() {}, quit };
    },
    attach({ bus, runner }, runId) {
      decider.sink = bus;
      bus.subscribe(store.push);
      store.controls = {
        interrupt() {
          bus.emit({ type: 'notice', level: 'warn', message: 'the person interrupted the agent’s turn' });
          runner.interrupt();
        },
        say(text) {
          runner.say(text);
        },
        stopCommand() {
          bus.emit({ type: 'notice', level: 'warn', message: 'the person stopped the running command' });
          runner.interrupt();
        },
        quit() {
          bus.emit({ type: 'notice', level: 'warn', message: 'the person quit; the run stays resumable' });
          runner.stop();
          decider.cancel(new RunInterrupted('stopped by the person', runId));
        },
      };
    },
    close: () => (closed ??= finish()),
  };

  async function finish() {
    store.flush();
    // One frame for the last state to be drawn before the app lets go of the terminal.
    await new Promise((r) => setTimeout(r, 20));
    ink.unmount();
    await ink.waitUntilExit?.();
  }
}
