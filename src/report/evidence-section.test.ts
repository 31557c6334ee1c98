import { describe, expect, it } from 'vitest';
import { buildReport } from './model.js';
import { reportDocument } from './document.js';
import { renderMarkdown } from './markdown.js';
import { renderHtml } from './html.js';
import type { Event } from '../events/schema.js';

/** A log with one stage: its tree, its gates (one detail hostile), a review, as a run logs them. */
function log(): Event[] {
  const base = { seq: 0, ts: '2026-12-08T00:00:00.000Z' };
  const events: Array<Record<string, unknown>> = [
    { type: 'run_started', runId: 'r1', playbook: 'p', playbookPath: '/p.yaml', playbookHash: 'h'.repeat(64), vars: {}, mode: 'autopilot', workspace: '/w', branch: 'b', agent: 'anthropic', model: 'm' },
    { type: 'step_entered', step: 'full', attempt: 1 },
    { type: 'tree_evaluated', step: 'full', commandId: 'c1', tree: 'a'.repeat(64), pristine: 'b'.repeat(40), changed: ['eval.py'], refused: [], diff: '--- a/eval.py\n+++ b/eval.py\n@@ -1 +1 @@\n-pass\n+print("```")\n' },
    { type: 'command_started', commandId: 'c1', step: 'full', command: 'modal run eval.py', cwd: '/w' },
    { type: 'command_exited', commandId: 'c1', step: 'full', exitCode: 0, signal: null, durationMs: 5, metrics: {}, tail: [], tree: 'a'.repeat(64) },
    { type: 'gate_judged', scope: 'step', step: 'full', check: 'episodes agree with per-episode lines', passed: false, detail: 'episodes 20 from [x](javascript:alert(1)) and episode_lines 10 from `lines` disagree by 10' },
    { type: 'review_done', step: 'full', question: 'q', answer: 'FINDING: eval.py:3 counts a crash as a success', findings: ['eval.py:3 counts a crash as a success'], model: 'rev' },
  ];
  return events.map((e, i) => ({ ...base, ...e, seq: i }) as unknown as Event);
}

describe('the provenance section', () => {
  it('shows the tree each stage ran, each gate with its evidence, the findings and the editable diff', () => {
    const md = renderMarkdown(reportDocument(buildReport(log())));
    expect(md).toContain('## Provenance');
    expect(md).toContain('| `full` | `aaaaaaaaaaaa` | `eval.py` | nothing |');
    expect(md).toContain("episodes 20 from [x](javascript:alert(1)) and episode_lines 10 from 'lines' disagree by 10");
    expect(md).toContain('eval.py:3 counts a crash as a success');
    // The diff holds a fence of three backticks; its own fence is longer, so nothing escapes it.
    expect(md).toMatch(/^````diff\n--- a\/eval.py[\s\S]*\+print\("```"\)\n````$/m);
  });

  it('never turns quoted text into a link that leaves the run folder', async () => {
    const r = buildReport(log());
    const html = await renderHtml(reportDocument(r), r);
    expect(html).not.toMatch(/href="javascript:/i);
    expect(html).toContain('<pre><code>--- a/eval.py');
  });
});
