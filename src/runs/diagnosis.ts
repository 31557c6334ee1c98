import { cutOutput } from '../agent/tools/cut-output.js';

/** A line that names an error, as a person scanning output would spot it. */
const ERROR = /Error\b|Exception\b|\berror:|ERROR|FAILED|Traceback|Killed|fatal|No such file|not found|denied|timed out/;
/** cutOutput's `[... N lines cut ...]` marks. */
const MARK = /^\[\.\.\. \d+ lines? cut \.\.\.\]$/;

/**
 * The few lines that say why a command failed, from the output kept with its exit: the output
 * cut as for the model (tracebacks, first and distinct errors, the end), then within `maxLines`
 * the last line, the error lines nearest the end, and the lines just before the end. Shown in
 * plain output and in the app without -v.
 */
export function diagnosis(tail: string[], maxLines = 6): string[] {
  const lines = tail.filter((l) => l.trim() !== '');
  if (lines.length <= maxLines) return lines;
  const cut = cutOutput(lines.join('\n'), 640)
    .split('\n')
    .filter((l) => !MARK.test(l) && l.trim() !== '');
  if (cut.length <= maxLines) return cut;
  const last = cut.length - 1;
  const keep = new Set<number>([last]);
  for (let i = last - 1; i >= 0 && keep.size < maxLines; i--) if (ERROR.test(cut[i]!)) keep.add(i);
  for (let i = last - 1; i >= 0 && keep.size < maxLines; i--) keep.add(i);
  return [...keep].sort((a, b) => a - b).map((i) => cut[i]!);
}

/** Whether a command's exit needs explaining: a nonzero code or a signal. */
export const failedExit = (e: { exitCode: number | null }) => e.exitCode !== 0;
