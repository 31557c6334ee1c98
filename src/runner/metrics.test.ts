import { describe, expect, it } from 'vitest';
import { createMetricsCollector } from './metrics.js';
import type { Metric } from '../playbook/schema.js';

const metric = (agg: Metric['agg'], regex = 'took ([^ ]+)s'): Metric => ({ name: `t_${agg}`, regex, agg });

describe('metrics from output lines', () => {
  it('leave out a capture that is not a finite number, so no figure is Infinity or NaN', () => {
    const c = createMetricsCollector([metric('mean'), metric('max'), metric('sum'), metric('last')]);
    for (const line of ['took 2s', 'took 1e999s', 'took nan s', 'took inf s', 'took 4s']) c.line(line);
    expect(c.values()).toEqual({ t_mean: 3, t_max: 4, t_sum: 6, t_last: 4 });
    // What the run log holds reads back the same.
    expect(JSON.parse(JSON.stringify(c.values()))).toEqual(c.values());
  });

  it('say a line changed a figure only when it did', () => {
    const c = createMetricsCollector([metric('mean')]);
    expect(c.line('took 1e999s')).toEqual([]);
    expect(c.line('took 5s')).toEqual(['t_mean']);
  });

  it('drop a sum that overflows rather than log Infinity', () => {
    const c = createMetricsCollector([metric('sum')]);
    c.line('took 1e308s');
    c.line('took 1e308s');
    expect(c.values()).toEqual({});
  });

  it('count every matching line whatever it captures', () => {
    const c = createMetricsCollector([metric('count', 'Episode error')]);
    c.line('Episode error: x');
    c.line('Episode error: y');
    expect(c.values()).toEqual({ t_count: 2 });
  });
});
