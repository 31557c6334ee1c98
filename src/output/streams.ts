import { type OutputNormaliser, createOutputNormaliser } from './normaliser.js';

/** A playbook's `output` settings: prefixes of loggers the built-in list does not know. */
export interface OutputSettings {
  prefixes?: string[];
}

export function prefixRegexes(settings: OutputSettings | undefined): RegExp[] {
  return (settings?.prefixes ?? []).map((p) => new RegExp(p));
}

/** One normaliser per stream of a command (each stream redraws its own lines), ended together. */
export function outputNormalisers(settings: OutputSettings | undefined, onLine: (line: string, stream: 'stdout' | 'stderr') => void) {
  const prefixes = prefixRegexes(settings);
  const stdout: OutputNormaliser = createOutputNormaliser((l) => onLine(l, 'stdout'), { prefixes });
  const stderr: OutputNormaliser = createOutputNormaliser((l) => onLine(l, 'stderr'), { prefixes });
  return {
    stdout,
    stderr,
    end() {
      stdout.end();
      stderr.end();
    },
  };
}
