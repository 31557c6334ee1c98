import type { Event } from '../events/schema.js';
import type { Playbook } from '../playbook/schema.js';
import { foldView, initialView, type ViewState } from './view-state.js';

/** What the person can do to the run itself, besides answering questions. */
export interface RunControls {
  /** Ends the agent's current turn; the engine judges what was done so far. */
  interrupt(): void;
  /** Stops the run after the current action; the run stays resumable. */
  quit(): void;
  /** Sends the person's own prompt to the agent once the current action ends. */
  say(text: string): void;
  /** The run is watched from elsewhere: only quitting (and the app's own keys) act. */
  readOnly?: boolean;
  /** Stops the running command (its step is judged on what it printed); absent in a read-only view. */
  stopCommand?(): void;
}

/**
 * The app's one source: events folded into a ViewState. Listeners are told at most once per
 * frame, so a command printing thousands of lines a second costs one render per frame, not one
 * per line.
 */
export class ViewStore {
  private state: ViewState;
  private readonly listeners = new Set<() => void>();
  private timer?: NodeJS.Timeout;
  controls?: RunControls;

  constructor(playbook?: Playbook, private readonly frameMs = 16) {
    this.state = initialView(playbook);
  }

  setPlaybook(playbook: Playbook): void {
    this.state = { ...this.state, playbook };
    this.notify();
  }

  push = (event: Event): void => {
    this.state = foldView(this.state, event);
    this.notify();
  };

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): ViewState => this.state;

  /**
   * A resumed run's past: its state folded from the log, with only the last entries of its
   * history (the rest is in the log), so the header, the stages and the checklist are as they were.
   */
  fold(events: Event[], keep = 20): void {
    const state = events.reduce(foldView, this.state);
    this.state = { ...state, history: state.history.slice(-keep), commands: [], tools: [] };
    this.notify();
  }

  /** What the run found, in words, shown after its end (derived from the log by the caller). */
  summary(lines: string[]): void {
    const entries = lines.map((message, i) => ({ key: `summary-${i}`, kind: 'notice' as const, level: 'info' as const, message }));
    this.state = { ...this.state, history: [...this.state.history, ...entries] };
    this.notify();
  }

  private notify(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const l of [...this.listeners]) l();
    }, this.frameMs);
  }

  /** Tells listeners now (the run ended: the last frame must show it before the app unmounts). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const l of [...this.listeners]) l();
  }
}
