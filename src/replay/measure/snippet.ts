import { stringify } from 'yaml';
import type { CoveragePoint } from './coverage.js';
import { words } from './steps.js';

const MAX_PATTERN = 100;

/**
 * A regex for an error line that also matches its next occurrence: numbers vary, so they become
 * `\d+`; the line is cut to the part from the exception or error word on.
 */
export function patternFor(line: string): string {
  const at = line.search(/\b\w*(Error|Exception|error|failed|FAILED|Traceback)\b/);
  let core = (at > 0 ? line.slice(at) : line).trim();
  if (core.length > MAX_PATTERN) core = core.slice(0, MAX_PATTERN).replace(/\s+\S*$/, '');
  return core.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&').replace(/\d+/g, '\\d+');
}

/** An id in the playbook's form, from the first words of the person's follow-up. */
export function ruleId(text: string, taken: Set<string>): string {
  const base = words(text).filter((w) => !/^\d+$/.test(w)).slice(0, 4).join('-').replace(/_/g, '-') || 'follow-up';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

/**
 * A missed follow-up as a remediation to paste under `remediations:`: it fires on the evidence
 * the person reacted to (the last error line, or what the agent last said) and sends what the
 * person sent.
 */
export function remediationSnippet(p: CoveragePoint, taken: Set<string>): string {
  const rule: Record<string, unknown> = { id: ruleId(p.followUp ?? '', taken) };
  rule.when = p.evidence ? { match: patternFor(p.evidence.line), in: [p.evidence.source] } : { exit_code: 'nonzero' };
  rule.then = { prompt: p.followUp ?? '' };
  rule.steps = [p.step];
  const yaml = stringify([rule], { lineWidth: 0 });
  const note = p.evidence ? '' : '# nothing in the output preceded this follow-up: choose a trigger\n';
  return note + yaml;
}
