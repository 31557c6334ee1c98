import { describe, expect, it } from 'vitest';
import { createMetricsCollector } from '../runner/metrics.js';
import { evaluateEvidenceCheck } from './evidence-checks.js';
import type { TreeVerdict } from './evaluated-tree.js';

const sources = { episodes: 'the printed total', episode_lines: "the loop's Success lines" };

describe('agree: a figure against its second signal', () => {
  it('passes when they agree and fails quoting both figures and where each came from', async () => {
    const check = { check: 'agree' as const, figure: 'episodes', with: 'episode_lines' };
    expect(await evaluateEvidenceCheck(check, { episodes: 20, episode_lines: 20 }, sources)).toMatchObject({ passed: true });
    const r = await evaluateEvidenceCheck(check, { episodes: 20, episode_lines: 10 }, sources);
    expect(r.passed).toBe(false);
    expect(r.detail).toBe("episodes 20 from the printed total and episode_lines 10 from the loop's Success lines disagree by 10");
    expect(r.signals).toEqual([
      { name: 'episodes', value: 20, from: 'the printed total' },
      { name: 'episode_lines', value: 10, from: "the loop's Success lines" },
    ]);
  });

  it('allows the difference an expression over the figures gives, and no more', async () => {
    const check = { check: 'agree' as const, figure: 'episodes', with: 'records', within: 'errors' };
    expect((await evaluateEvidenceCheck(check, { episodes: 20, records: 18, errors: 2 }, {})).passed).toBe(true);
    expect((await evaluateEvidenceCheck(check, { episodes: 20, records: 17, errors: 2 }, {})).passed).toBe(false);
  });

  it('fails a figure that was never measured, naming it', async () => {
    const r = await evaluateEvidenceCheck({ check: 'agree', figure: 'episodes', with: 'episode_lines' }, { episodes: 20 }, sources);
    expect(r).toMatchObject({ passed: false, detail: "not measured: episode_lines (the loop's Success lines)" });
  });

  it('reads a weighted mean of per-episode timings as the printed mean is computed', () => {
    const m = createMetricsCollector([{ name: 'episode_ms', regex: '^Episode inference time: ([0-9.]+) ms/step \\((\\d+) queries\\)', agg: 'wmean' }]);
    m.line('Episode inference time: 50.0 ms/step (30 queries), env done: yes');
    m.line('Episode inference time: 80.0 ms/step (10 queries), env done: no');
    m.line('Episode inference time: n/a (0 queries), env done: no');
    expect(m.values().episode_ms).toBeCloseTo(57.5, 9);
  });
});

const tree = (o: Partial<TreeVerdict>): TreeVerdict => ({ hash: 'a'.repeat(64), pristine: 'b'.repeat(40), changed: [], refused: [], strays: [], diff: '', refusedDiff: '', ...o });

describe('the tree gates', () => {
  it('editable_only quotes what was refused and passes the assembled tree with its hash', async () => {
    const refused = tree({ refused: ['rsd/stats.py: changed, and it is not editable'], refusedDiff: '--- a/rsd/stats.py\n+++ b/rsd/stats.py\n-x\n+y\n' });
    const r = await evaluateEvidenceCheck({ check: 'editable_only' }, {}, {}, { tree: refused });
    expect(r.passed).toBe(false);
    expect(r.detail).toContain('rsd/stats.py: changed, and it is not editable');
    expect(r.detail).toContain('+y');
    const ok = await evaluateEvidenceCheck({ check: 'editable_only' }, {}, {}, { tree: tree({ changed: ['a.py'] }) });
    expect(ok).toMatchObject({ passed: true, detail: 'evaluated tree aaaaaaaaaaaa: pristine bbbbbbbbbbbb plus 1 editable file(s) changed (a.py)' });
  });

  it('code_ran fails when the code now is not what a named stage ran, and ignores new files that never ran', async () => {
    const now = tree({ hash: 'c'.repeat(64), strays: ['notes.py: a new file outside the editable parts'] });
    const ran = { full: 'c'.repeat(64), baseline: 'd'.repeat(64) };
    const r = await evaluateEvidenceCheck({ check: 'code_ran', steps: ['full', 'baseline'] }, {}, {}, { trees: ran, current: async () => now });
    expect(r.passed).toBe(false);
    expect(r.detail).toContain('is not the code baseline ran');
    const ok = await evaluateEvidenceCheck({ check: 'code_ran', steps: ['full'] }, {}, {}, { trees: ran, current: async () => now });
    expect(ok.passed).toBe(true);
  });

  it('results_agree fails when no results file confirms the figures', async () => {
    expect((await evaluateEvidenceCheck({ check: 'results_agree' }, {}, {}, {})).passed).toBe(false);
    expect((await evaluateEvidenceCheck({ check: 'results_agree' }, {}, {}, { results: { agrees: false, detail: 'episodes: 20 in the JSON, 10 in the log' } })).detail).toContain('20 in the JSON');
  });
});
