import { describe, expect, it } from 'vitest';
import { EventBus } from './bus.js';
import { Redactor } from './redact.js';
import type { Event } from '../events/schema.js';

const clock = { now: () => 0 };

describe('the event bus', () => {
  it('hands every listener a cause before the event a listener emitted because of it', () => {
    const bus = new EventBus(clock, new Redactor({}));
    // The runner reads a tool result and reports the trigger it matched, from inside the emit.
    bus.subscribe((e) => {
      if (e.type === 'tool_result') bus.emit({ type: 'trigger_matched', remediation: 'oom', step: 's', source: 'tool_output', line: e.output, groups: [] });
    });
    const seen: Array<[string, number]> = [];
    bus.subscribe((e: Event) => seen.push([e.type, e.seq]));
    bus.emit({ type: 'tool_result', turn: 1, callId: 'c1', output: 'CUDA out of memory', isError: false });
    bus.emit({ type: 'agent_text', turn: 1, text: 'next' });
    expect(seen).toEqual([
      ['tool_result', 0],
      ['trigger_matched', 1],
      ['agent_text', 2],
    ]);
  });

  it('has delivered everything, nested events included, when emit returns', () => {
    const bus = new EventBus(clock, new Redactor({}));
    const seen: string[] = [];
    bus.subscribe((e) => {
      seen.push(e.type);
      if (e.type === 'agent_text') bus.emit({ type: 'notice', level: 'info', message: 'x' });
    });
    bus.emit({ type: 'agent_text', turn: 1, text: 'a' });
    expect(seen).toEqual(['agent_text', 'notice']);
  });
});
