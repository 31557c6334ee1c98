import { describe, expect, it } from 'vitest';
import { rsdPhase3Run, SUITES } from '../../tests/helpers/libero-run.js';
import type { Event } from '../events/schema.js';
import { buildReport } from './model.js';
import { reportDocument } from './document.js';
import { renderMarkdown } from './markdown.js';

/** The single-suite run log as a recent labpilot writes it: labels, titles and version recorded. */
function annotated(edit: (events: Event[]) => Event[] = (e) => e): Event[] {
  const events = rsdPhase3Run(SUITES, false).events.map((e): Event =>
    e.type === 'run_started'
      ? {
          ...e,
          vars: { ...e.vars, script: 'eval.py', full_trials: '5', base_model: 'moojink/openvla-7b-oft-finetuned-libero-spatial' },
          labpilot: '0.1.0',
          annotations: {
            labels: { full: 'RSD (speculative decoding)', baseline: 'Baseline' },
            remediations: { 'cuda-oom': { title: 'CUDA out of memory: main model in 4-bit', changesCondition: 'main model loaded in 4-bit' } },
          },
        }
      : e,
  );
  const fullStart = events.findIndex((e) => e.type === 'command_started' && e.step === 'full');
  const commit = { type: 'commit_made', seq: 0, ts: events[fullStart]!.ts, sha: '0123456789abcdef0123', branch: 'b', message: 'labpilot: task4', files: ['eval.py'] } satisfies Event;
  return edit([...events.slice(0, fullStart), commit, ...events.slice(fullStart)]).map((e, seq) => ({ ...e, seq }));
}

describe('where the report says its figures come from', () => {
  it('names the stages by their playbook labels and the fixes by their titles and the line that fired them', () => {
    const md = renderMarkdown(reportDocument(buildReport(annotated())));
    expect(md).toContain('## RSD (speculative decoding) vs Baseline\n');
    expect(md).toContain('with RSD (speculative decoding) (`full`), 90.0% (18/20; 95% CI 68.3%-98.8%) with Baseline (`baseline`)');
    expect(md).toContain('| Task | Description | RSD (speculative decoding) | Baseline |');
    expect(md).toContain('| `smoke` | CUDA out of memory: main model in 4-bit (`cuda-oom`) | `torch.OutOfMemoryError: CUDA out of memory.` | prompt | 1 |');
  });

  it('gives the metadata: the commit evaluated, the versions, the suite and the trials', () => {
    const md = renderMarkdown(reportDocument(buildReport(annotated())));
    expect(md).toContain('| Evaluated script | `eval.py` at commit `0123456789ab` (the last commit before `full` ran) on `b` |');
    expect(md).toContain('| labpilot | 0.1.0 |');
    expect(md).toContain('| Playbook | `rsd-phase3`, sha256 `h` |');
    expect(md).toContain('| Suite | `libero_spatial` |');
    expect(md).toContain('| Trials per task | full_trials 5 |');
    expect(md).toContain('| Evaluated model | `moojink/openvla-7b-oft-finetuned-libero-spatial` |');
  });

  it('flags a fix that changed the condition of both compared stages beside their comparison', () => {
    const md = renderMarkdown(reportDocument(buildReport(annotated())));
    const comparison = md.slice(md.indexOf('## RSD (speculative decoding) vs Baseline'), md.indexOf('## Success per task'));
    expect(comparison).toContain('- **Condition changed for both stages**: main model loaded in 4-bit; fix "CUDA out of memory: main model in 4-bit" (`cuda-oom`), chosen in `smoke`.');
  });

  it('says the comparison is confounded when the fix came between the two stages', () => {
    const between = annotated((events) => {
      const baselineStart = events.findIndex((e) => e.type === 'command_started' && e.step === 'baseline');
      const fix = { type: 'remediation_chosen', seq: 0, ts: events[baselineStart]!.ts, remediation: 'cuda-oom', step: 'baseline', action: 'prompt', attempt: 1, why: 'cuda-oom (priority 50)' } satisfies Event;
      // Only this fix changes the condition: the one in smoke is dropped.
      return [...events.slice(0, baselineStart), fix, ...events.slice(baselineStart)].filter((e) => e.type !== 'remediation_chosen' || e.step !== 'smoke');
    });
    const md = renderMarkdown(reportDocument(buildReport(between)));
    expect(md).toContain('- **Condition changed for Baseline only**: main model loaded in 4-bit;');
    expect(md).toContain('so their difference is confounded with it.');
    expect(md).not.toContain('Condition changed for both stages');
  });

  it('reads a log written before labels were recorded with step ids and no version', () => {
    const r = buildReport(rsdPhase3Run(SUITES, false).events);
    expect(r.labels).toEqual({});
    expect(r.conditions).toEqual([]);
    expect(renderMarkdown(reportDocument(r))).toContain('| labpilot | not recorded |');
  });
});
