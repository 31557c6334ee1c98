import { closeSync, openSync, writeSync } from 'node:fs';
import type { LineMatch, Matcher } from '../engine/matcher.js';
import { createOutputNormaliser } from './normaliser.js';
import { createRawSplitter } from './raw-splitter.js';
import { createTriggerScanner } from './trigger-scanner.js';

export { normaliseText } from './normaliser.js';

/** A playbook's `output` settings: prefixes of loggers the built-in list does not know. */
export interface OutputSettings {
  prefixes?: string[];
}

export function prefixRegexes(settings: OutputSettings | undefined): RegExp[] {
  return (settings?.prefixes ?? []).map((p) => new RegExp(p));
}

/** What to do with the lines of a command's output that trigger a rule. */
export interface OutputTriggers {
  matcher: Matcher;
  onTrigger: (line: string, matches: readonly LineMatch[], stream: Stream) => void;
}

type Stream = 'stdout' | 'stderr';

/**
 * A command's output, pushed chunk by chunk as it arrives: its segments go to the log file byte
 * for byte and, normalised, to `onLine`; its triggers are found by one byte scanner per stream
 * (./trigger-scanner.ts), which reads only the lines around a literal hit.
 */
export function openCommandOutput(logFile: string, settings: OutputSettings | undefined, onLine: (line: string, stream: Stream) => void, triggers?: OutputTriggers) {
  const fd = openSync(logFile, 'w');
  const prefixes = prefixRegexes(settings);
  // One normaliser for both streams, fed in the order the segments arrived and were logged: a
  // terminal shows the two merged (a print lands after a tqdm bar on stderr), Modal forwards them
  // as one, and a replay reads them back from the one log in that order.
  const normaliser = createOutputNormaliser<Stream>(onLine, { prefixes });
  const segmentsOf = (stream: Stream) =>
    createRawSplitter((segment) => {
      writeSync(fd, segment);
      normaliser.push(segment, stream);
    });
  const splitters = { stdout: segmentsOf('stdout'), stderr: segmentsOf('stderr') };
  const scannerOf = (stream: Stream) => triggers && createTriggerScanner(triggers.matcher, 'command_output', (line, matches) => triggers.onTrigger(line, matches, stream), { prefixes });
  const scanners = { stdout: scannerOf('stdout'), stderr: scannerOf('stderr') };
  return {
    push(chunk: Buffer, stream: Stream) {
      splitters[stream].push(chunk);
      scanners[stream]?.push(chunk);
    },
    end() {
      for (const stream of ['stdout', 'stderr'] as const) {
        splitters[stream].end();
        scanners[stream]?.end();
      }
      normaliser.end();
    },
    close: () => closeSync(fd),
  };
}
