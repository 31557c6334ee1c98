import { type OutputNormaliser, createOutputNormaliser } from './normaliser.js';

/** A playbook's `output` settings: prefixes of loggers the built-in list does not know. */
export interface OutputSettings {
  prefixes?: string[];
}

export function prefixRegexes(settings: OutputSettings | undefined): RegExp[] {
  return (settings?.prefixes ?? []).map((p) => new RegExp(p));
}

/**
 * One normaliser per stream of a command (each stream redraws its own lines), ended together.
 * A line on one stream releases the message the other holds for its continuation, so lines come
 * out in the order they arrived: the order the raw log keeps and replay reads it in (one stream,
 * as Modal forwards both), whatever the interleaving, and triggers fire on the same line.
 */
export function outputNormalisers(settings: OutputSettings | undefined, onLine: (line: string, stream: 'stdout' | 'stderr') => void) {
  const prefixes = prefixRegexes(settings);
  const out: OutputNormaliser = createOutputNormaliser((l) => onLine(l, 'stdout'), { prefixes });
  const err: OutputNormaliser = createOutputNormaliser((l) => onLine(l, 'stderr'), { prefixes });
  const stdout = { push: (s: string) => (err.release(), out.push(s)) };
  const stderr = { push: (s: string) => (out.release(), err.push(s)) };
  return {
    stdout,
    stderr,
    end() {
      out.end();
      err.end();
    },
  };
}
