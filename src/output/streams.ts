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
  onTrigger: (line: string, matches: readonly LineMatch[]) => void;
}

type Stream = 'stdout' | 'stderr';

/**
 * A command's output, pushed chunk by chunk as each stream delivers it. Each stream is cut into
 * segments, and the two are merged in the order their segments arrived: a terminal shows them
 * so (a print lands after a tqdm bar on stderr), Modal forwards them as one, and the merged
 * bytes are what the log file keeps and a replay or `parse` reads back. The segments go,
 * normalised, to `onLine`; the merged bytes of each push to the log and to the trigger scanner
 * (./trigger-scanner.ts), which reads only the lines around a literal hit.
 */
export function openCommandOutput(logFile: string, settings: OutputSettings | undefined, onLine: (line: string, stream: Stream) => void, triggers?: OutputTriggers) {
  const fd = openSync(logFile, 'w');
  const prefixes = prefixRegexes(settings);
  const normaliser = createOutputNormaliser<Stream>(onLine, { prefixes });
  const scanner = triggers && createTriggerScanner(triggers.matcher, 'command_output', triggers.onTrigger, { prefixes });
  let merged: string[] = [];
  const segmentsOf = (stream: Stream) =>
    createRawSplitter((segment) => {
      merged.push(segment);
      normaliser.push(segment, stream);
    });
  const splitters = { stdout: segmentsOf('stdout'), stderr: segmentsOf('stderr') };
  const flush = () => {
    if (merged.length === 0) return;
    const bytes = Buffer.from(merged.join(''));
    merged = [];
    writeSync(fd, bytes);
    scanner?.push(bytes);
  };
  return {
    push(chunk: Buffer, stream: Stream) {
      splitters[stream].push(chunk);
      flush();
    },
    end() {
      splitters.stdout.end();
      splitters.stderr.end();
      flush();
      scanner?.end();
      normaliser.end();
    },
    close: () => closeSync(fd),
  };
}
