import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { Event, EventInput } from '../../src/events/schema.js';
import type { EventSink } from '../../src/ports.js';

/** An in-memory EventSink: stamps and keeps events in order. */
export class MemorySink implements EventSink {
  readonly events: Event[] = [];
  emit(event: EventInput): Event {
    const stamped = { ...event, seq: this.events.length, ts: new Date(0).toISOString() } as Event;
    this.events.push(stamped);
    return stamped;
  }
}

export interface AgentWorld<S> {
  /** A fresh workspace folder for each test. */
  ws: string;
  sink: MemorySink;
  /** The stand-in a test started; closed after the test. */
  standin?: S;
}

/** Registers hooks giving every test of the file a fresh workspace and sink, and closing its stand-in. */
export function useAgentWorld<S extends { close(): Promise<void> }>(prefix: string): AgentWorld<S> {
  const world: AgentWorld<S> = { ws: '', sink: new MemorySink() };
  beforeEach(() => {
    world.ws = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
    world.sink = new MemorySink();
  });
  afterEach(async () => {
    await world.standin?.close();
    world.standin = undefined;
  });
  return world;
}
