import type { Event, EventInput } from '../events/schema.js';
import type { Clock, EventSink } from '../ports.js';
import type { EventLogWriter } from './log.js';
import type { Redactor } from './redact.js';

export type Listener = (event: Event) => void;

/**
 * The one event stream: stamps each event, redacts secrets, appends it to the run log before
 * anyone sees it, then hands it to the listeners (engine feed, console, UI) in order.
 */
export class EventBus implements EventSink {
  private readonly listeners: Listener[] = [];
  private readonly queue: Event[] = [];
  private delivering = false;

  constructor(
    private readonly clock: Clock,
    private readonly redactor: Redactor,
    private readonly writer?: EventLogWriter,
    private seq = 0,
  ) {}

  subscribe(listener: Listener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /**
   * An event emitted by a listener (the runner's trigger for a tool result it is reading) is
   * logged at once but handed to listeners only after every listener has seen the event that
   * caused it: all of them see causes before their effects, in log order.
   */
  emit(input: EventInput): Event {
    const seq = this.seq++;
    const event = this.redactor.deep({ ...input, seq, ts: new Date(this.clock.now()).toISOString(), ...(this.writer && seq > 0 && { prev: seq - 1 }) }) as Event;
    if (this.writer) event.hash = this.writer.append(event);
    this.queue.push(event);
    if (this.delivering) return event;
    this.delivering = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) for (const l of [...this.listeners]) l(next);
    } finally {
      this.delivering = false;
    }
    return event;
  }
}

export const systemClock: Clock = { now: () => Date.now() };
