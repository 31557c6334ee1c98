import { describe, expect, it } from 'vitest';
import { diffTraces, firstDifferentLine } from './diff.js';
import { traceOf, type TraceItem } from './trace.js';
import type { Event } from '../events/schema.js';

const items = (...keys: string[]): TraceItem[] => keys.map((key, seq) => ({ kind: 'step', step: key.split(':')[0]!, key, label: key, seq }));
const keys = (xs: TraceItem[]) => xs.map((x) => x.key);

describe('diffTraces', () => {
  it('finds nothing between equal traces', () => {
    expect(diffTraces(items('a:1', 'a:2', 'b:1'), items('a:1', 'a:2', 'b:1'))).toEqual([]);
  });

  it('groups each run of one-sided items, in the step where the runs part', () => {
    const d = diffTraces(items('a:1', 'a:trigger', 'a:2', 'b:1', 'b:2', 'c:1'), items('a:1', 'a:2', 'b:1', 'b:other', 'c:1'));
    expect(d.map((x) => ({ step: x.step, recorded: keys(x.recorded), replayed: keys(x.replayed) }))).toEqual([
      { step: 'a', recorded: ['a:trigger'], replayed: [] },
      { step: 'b', recorded: ['b:2'], replayed: ['b:other'] },
    ]);
  });

  it('reports a replay that ends early as the recorded tail', () => {
    const d = diffTraces(items('a:1', 'b:1', 'c:1'), items('a:1'));
    expect(d).toHaveLength(1);
    expect(keys(d[0]!.recorded)).toEqual(['b:1', 'c:1']);
    expect(d[0]!.replayed).toEqual([]);
  });
});

describe('firstDifferentLine', () => {
  it('names the first line where two prompts part', () => {
    expect(firstDifferentLine('# Fix\nuse 4-bit\nrerun', '# Fix\nuse 8-bit\nrerun')).toEqual({ line: 2, recorded: 'use 4-bit', replayed: 'use 8-bit' });
    expect(firstDifferentLine('same', 'same')).toBeUndefined();
  });
});

describe('traceOf on a fanned-out step', () => {
  const trigger = (seq: number, item: string | undefined, line: string): Event =>
    ({ type: 'trigger_matched', seq, ts: '2026-01-01T00:00:00Z', remediation: 'cuda-oom', step: 'smoke', source: 'command_output', line, groups: [], ...(item && { item }) }) as Event;

  it('finds no difference when parallel commands printed their errors in the other order', () => {
    const first = traceOf([trigger(0, 'libero_spatial', 'CUDA out of memory'), trigger(1, 'libero_object', 'CUDA out of memory')]);
    const second = traceOf([trigger(0, 'libero_object', 'CUDA out of memory'), trigger(1, 'libero_spatial', 'CUDA out of memory')]);
    expect(diffTraces(first, second)).toEqual([]);
    expect(first.map((t) => t.label)).toEqual(['trigger cuda-oom [libero_object] (command output): CUDA out of memory', 'trigger cuda-oom [libero_spatial] (command output): CUDA out of memory']);
  });

  it('keeps the order of one command’s own triggers', () => {
    // Brackets in the printed line do not make it a value's line.
    const one = traceOf([trigger(0, undefined, 'b: [rank 0] second rule'), trigger(1, undefined, 'a: [rank 1] first')]);
    expect(one.map((t) => t.seq)).toEqual([0, 1]);
  });
});
