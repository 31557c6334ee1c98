import type { Metric } from '../playbook/schema.js';
import { evalExpr, parseExpr } from '../engine/expr.js';

/**
 * Parses figures from a command's output as it streams, in constant memory: each metric keeps
 * only its running aggregate.
 */
export function createMetricsCollector(metrics: Metric[]) {
  const state = metrics.map((m) => ({ m, re: new RegExp(m.regex), n: 0, sum: 0, last: NaN, max: -Infinity, min: Infinity, wsum: 0, weight: 0 }));
  return {
    /** Returns the names of the figures the line updated, so live predicates run only then. */
    line(text: string): string[] {
      const changed: string[] = [];
      for (const s of state) {
        const hit = s.re.exec(text);
        if (!hit) continue;
        if (s.m.agg !== 'count') {
          const v = Number(hit[1]) * (s.m.scale ?? 1);
          // A capture that is no finite number ("nan", "inf", 1e999) is not a figure: it changes
          // no aggregate (nor the count a mean divides by), and the log never holds Infinity.
          if (!Number.isFinite(v)) continue;
          if (s.m.agg === 'wmean') {
            const w = Number(hit[2]);
            // A weight that is no positive number (no group 2, "n/a") leaves the mean as it was.
            if (!(w > 0 && Number.isFinite(w))) continue;
            s.wsum += v * w;
            s.weight += w;
          }
          s.last = v;
          s.sum += v;
          s.max = Math.max(s.max, v);
          s.min = Math.min(s.min, v);
        }
        s.n++;
        changed.push(s.m.name);
      }
      return changed;
    },
    values(derive: Record<string, string> = {}): Record<string, number> {
      const out: Record<string, number> = {};
      for (const s of state) {
        const v = aggregate(s);
        // A sum of finite figures can still overflow.
        if (v !== undefined && Number.isFinite(v)) out[s.m.name] = v;
      }
      for (const [name, expr] of Object.entries(derive)) {
        const r = evalExpr(parseExpr(expr), out);
        if (r.ok && typeof r.value === 'number' && Number.isFinite(r.value)) out[name] = r.value;
      }
      return out;
    },
  };
}

function aggregate(s: { m: Metric; n: number; sum: number; last: number; max: number; min: number; wsum: number; weight: number }): number | undefined {
  if (s.m.agg === 'count') return s.n;
  if (s.n === 0) return undefined;
  switch (s.m.agg) {
    case 'sum':
      return s.sum;
    case 'mean':
      return s.sum / s.n;
    case 'wmean':
      return s.weight > 0 ? s.wsum / s.weight : undefined;
    case 'max':
      return s.max;
    case 'min':
      return s.min;
    default:
      return s.last;
  }
}
