import type { Decider, Decision, EventSink, Question } from '../ports.js';

/**
 * Autopilot: approves every prompt. Budgets are enforced by the engine before anything is
 * proposed, so approval here is always within them. A question meant for a person is skipped
 * with the reason logged: nobody is there to answer it.
 */
export function createPolicyDecider(): Decider {
  return {
    mode: 'autopilot',
    async decide(q: Question): Promise<Decision> {
      if (q.kind === 'ask') return { verdict: 'skip', by: 'policy', reason: 'no person to ask in autopilot' };
      return { verdict: 'approve', by: 'policy', reason: 'within budgets' };
    },
  };
}

export type PersonMode = 'interactive' | 'autopilot';

/** A question waiting for the person, with the text they would send if they approved now. */
export interface OpenQuestion {
  question: Question;
  /** The proposal with the person's queued notes appended. */
  draft: string;
}

interface Waiting extends OpenQuestion {
  resolve(d: Decision): void;
  reject(err: Error): void;
}

/**
 * The person's decider: a question waits until the terminal app relays a key (approve, edit,
 * replace, skip, abort). The person may switch to autopilot and back mid-run, and may write a
 * note to the agent at any time; the engine has no entry for an unsolicited prompt, so a note
 * rides with the next prompt the engine proposes (the decision is then an `edit` whose text
 * carries it). Mode switches and notes are logged as notices through the sink, so the log
 * holds everything the app showed.
 */
export class HumanDecider implements Decider {
  sink?: EventSink;
  private waiting?: Waiting;
  private notes: string[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly policy = createPolicyDecider();

  constructor(private current: PersonMode = 'interactive') {}

  get mode(): PersonMode {
    return this.current;
  }

  get open(): OpenQuestion | undefined {
    return this.waiting && { question: this.waiting.question, draft: this.waiting.draft };
  }

  get queuedNotes(): readonly string[] {
    return this.notes;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  decide(question: Question): Promise<Decision> {
    if (this.current === 'autopilot') return this.byPolicy(question);
    return new Promise((resolve, reject) => {
      this.waiting = { question, draft: this.withNotes(question.text), resolve, reject };
      this.changed();
    });
  }

  approve(): void {
    const w = this.waiting;
    if (!w) return;
    if (w.draft === w.question.text) this.settle({ verdict: 'approve', by: 'human' });
    else this.settle({ verdict: 'edit', text: w.draft, by: 'human', reason: 'approved with the person’s note' }, true);
  }

  edit(text: string): void {
    const w = this.waiting;
    if (!w) return;
    if (text === w.draft) return this.approve();
    this.settle({ verdict: 'edit', text, by: 'human' }, true);
  }

  replace(text: string): void {
    this.settle({ verdict: 'replace', text, by: 'human' }, true);
  }

  /** Notes stay queued: they were meant for the agent, and this prompt is not sent. */
  skip(): void {
    this.settle({ verdict: 'skip', by: 'human' });
  }

  abort(reason = 'the person aborted the run'): void {
    this.settle({ verdict: 'abort', by: 'human', reason }, true);
  }

  note(text: string): void {
    const t = text.trim();
    if (t === '') return;
    this.notes.push(t);
    if (this.waiting) this.waiting.draft = this.withNotes(this.waiting.question.text);
    this.sink?.emit({ type: 'notice', level: 'info', message: `note for the agent, sent with the next prompt: ${t}` });
    this.changed();
  }

  setMode(mode: PersonMode): void {
    if (mode === this.current) return;
    this.current = mode;
    this.sink?.emit({ type: 'notice', level: 'info', message: `mode switched to ${mode} by the person` });
    const w = this.waiting;
    if (mode === 'autopilot' && w) {
      this.waiting = undefined;
      void this.byPolicy(w.question).then(w.resolve, w.reject);
    }
    this.changed();
  }

  /** The run is stopping: a question still waiting will never be answered. */
  cancel(err: Error): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(err);
    this.changed();
  }

  private async byPolicy(question: Question): Promise<Decision> {
    const d = await this.policy.decide(question);
    if (d.verdict !== 'approve' || this.notes.length === 0) return d;
    const text = this.withNotes(question.text);
    this.notes = [];
    return { verdict: 'edit', text, by: 'policy', reason: `${d.reason}; with the person’s note` };
  }

  private settle(d: Decision, notesDelivered = false): void {
    const w = this.waiting;
    if (!w) return;
    this.waiting = undefined;
    if (notesDelivered) this.notes = [];
    w.resolve(d);
    this.changed();
  }

  private withNotes(text: string): string {
    return this.notes.length === 0 ? text : `${text}\n\n${this.notes.join('\n\n')}`;
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }
}
