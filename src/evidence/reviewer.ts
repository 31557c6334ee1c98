import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { EventBus } from '../runs/bus.js';
import type { Redactor } from '../runs/redact.js';
import { messageOf } from '../errors.js';
import { longestRun } from '../playbook/fence.js';
import type { EvidenceOutcome } from './evidence-checks.js';

/**
 * A second model reads the diff of the editable parts against the playbook's rubric and answers
 * with findings (Inspect AI's split: the solver is not the scorer). A finding fails the gate; no
 * finding, or no answer, never makes anything pass that another gate fails: it only does not
 * block. The question and the answer are logged (`review_done`) and shown in the report.
 */
export interface ReviewerModel {
  model: string;
  ask(question: string): Promise<string>;
}

export const REVIEW_HEADING = '## Review of the editable parts';

export function reviewQuestion(rubric: string, diff: string): string {
  const fence = '`'.repeat(Math.max(3, longestRun(diff, '`') + 1));
  return [
    REVIEW_HEADING,
    '',
    'You review code an agent wrote for an experiment, against this rubric:',
    '',
    rubric.trim(),
    '',
    'The agent\'s changes, as a diff against the repository as it was cloned:',
    '',
    `${fence}diff`,
    diff.replace(/\n$/, ''),
    fence,
    '',
    'Answer with one line per problem, each starting with `FINDING: ` and naming the file, the line',
    'and the rule of the rubric it breaks. If there is none, answer `NO FINDINGS`. Report only',
    'problems, not style or improvements.',
  ].join('\n');
}

/** Each `FINDING:` line of the answer; `NO FINDINGS` or prose without one is no finding. */
export function findingsOf(answer: string): string[] {
  return answer
    .split('\n')
    .map((l) => /^\s*(?:[-*]\s*)?\**FINDING\**:\s*(.+)$/i.exec(l)?.[1]?.trim())
    .filter((f): f is string => !!f);
}

/** The `reviewer` gate's judge: the rubric is a file beside the playbook or the text itself. */
export function reviewer(o: { model: ReviewerModel; bus: EventBus; redactor: Redactor; playbookDir: string; step: () => string }) {
  return async (rubric: string, diff: string): Promise<EvidenceOutcome> => {
    const file = resolve(o.playbookDir, rubric);
    const text = file.startsWith(resolve(o.playbookDir)) && existsSync(file) ? readFileSync(file, 'utf8') : rubric;
    if (diff.trim() === '') return { passed: true, detail: 'nothing to review: the editable parts are as cloned' };
    // The model is sent nothing a secret could ride in: the diff is redacted like the log.
    const question = o.redactor.redact(reviewQuestion(text, diff));
    let answer: string;
    try {
      answer = await o.model.ask(question);
    } catch (err) {
      o.bus.emit({ type: 'notice', level: 'warn', message: `the reviewer model did not answer: ${messageOf(err)}` });
      return { passed: true, detail: `not reviewed: the reviewer model did not answer (${messageOf(err)})` };
    }
    const findings = findingsOf(answer);
    o.bus.emit({ type: 'review_done', step: o.step(), question, answer, findings, model: o.model.model });
    if (findings.length === 0) return { passed: true, detail: `${o.model.model}: no finding` };
    return { passed: false, detail: `${o.model.model}: ${findings.length} finding(s): ${findings.join(' | ')}` };
  };
}
