import type { ImportedEvent } from '../replay/import/index.js';
import { patternFor, ruleId } from '../replay/measure/snippet.js';

export interface Draft {
  steps: Array<{ id: string; title: string; prompt: string }>;
  /** `match` is a regex over command and tool output. */
  remediations: Array<{ id: string; match: string; prompt: string; step?: string }>;
}

/** An error line in a command's output: what a person reacts to, and what a trigger can match. */
const ERROR_LINE = /\b\w*(Error|Exception)\b|\berror\b|\bfailed\b|FAILED|Traceback|not found|No such file|Permission denied|Killed|timed out/i;

/** Prompt text kept as written: a literal `{{` is not a template. */
const literal = (s: string) => s.replace(/\{\{/g, '\\{{').trim() + '\n';

const title = (text: string) => {
  const first = text.trim().split('\n')[0]!.replace(/\s+/g, ' ');
  return first.length > 60 ? first.slice(0, 59) + '…' : first;
};

/**
 * The person's prompts in order become steps, except a prompt that answers an error printed by a
 * command since the last prompt: that one becomes a remediation of the step, triggered by the
 * error line made general (numbers become `\d+`), never by what the agent said about it.
 */
export function draftFromEvents(events: Iterable<ImportedEvent>): Draft {
  const draft: Draft = { steps: [], remediations: [] };
  const ids = new Set<string>(['verify']);
  const patterns = new Set<string>();
  let error: string | undefined;
  for (const { event: e, sidechain } of events) {
    if (sidechain) continue;
    if (e.type === 'tool_result' || e.type === 'command_output') {
      const text = e.type === 'tool_result' ? e.output : e.line;
      // The last error line of the output: how it ended is what a person reads.
      const line = text
        .split('\n')
        .filter((l) => ERROR_LINE.test(l))
        .at(-1);
      if (line) error = line.trim();
    } else if (e.type === 'prompt_sent') {
      const text = e.text.trim();
      if (text === '') continue;
      const pattern = error === undefined ? undefined : patternFor(error);
      if (pattern !== undefined && draft.steps.length > 0) {
        // The same error answered twice is one rule.
        if (!patterns.has(pattern)) draft.remediations.push({ id: ruleId(text, ids), match: pattern, prompt: literal(text), step: draft.steps.at(-1)!.id });
        patterns.add(pattern);
      } else {
        draft.steps.push({ id: ruleId(text, ids), title: title(text), prompt: literal(text) });
      }
      error = undefined;
    }
  }
  return draft;
}
