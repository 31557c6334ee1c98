import { closeSync, openSync, writeSync } from 'node:fs';
import { createOutputNormaliser } from './normaliser.js';

export { normaliseText } from './normaliser.js';

/** A playbook's `output` settings: prefixes of loggers the built-in list does not know. */
export interface OutputSettings {
  prefixes?: string[];
}

export function prefixRegexes(settings: OutputSettings | undefined): RegExp[] {
  return (settings?.prefixes ?? []).map((p) => new RegExp(p));
}

/** A command's output: its raw segments to the log file byte for byte, its normalised lines to `onLine`. */
export function openCommandOutput(logFile: string, settings: OutputSettings | undefined, onLine: (line: string, stream: 'stdout' | 'stderr') => void) {
  const fd = openSync(logFile, 'w');
  // One normaliser for both streams, fed in the order the segments arrived and were logged: a
  // terminal shows the two merged (a print lands after a tqdm bar on stderr), Modal forwards them
  // as one, and a replay reads them back from the one log in that order.
  const normaliser = createOutputNormaliser<'stdout' | 'stderr'>(onLine, { prefixes: prefixRegexes(settings) });
  return {
    onLine(segment: string, stream: 'stdout' | 'stderr') {
      // Lines read back from elsewhere come without a terminator.
      writeSync(fd, /[\r\n]$/.test(segment) ? segment : segment + '\n');
      normaliser.push(segment, stream);
    },
    end: () => normaliser.end(),
    close: () => closeSync(fd),
  };
}
