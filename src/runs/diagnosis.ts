import { cutOutput } from '../agent/tools/cut-output.js';

/**
 * The few lines that say why a command failed, from the output kept with its exit: the output
 * cut (as for the model) to the traceback's end, the first error and how it ended, within
 * `maxLines`. Shown in plain output and in the app without -v.
 */
export function diagnosis(tail: string[], maxLines = 6): string[] {
  const lines = tail.filter((l) => l.trim() !== '');
  if (lines.length <= maxLines) return lines;
  const text = lines.join('\n');
  for (const budget of [640, 480, 360, 280]) {
    const cut = cutOutput(text, budget).split('\n');
    if (cut.length <= maxLines + 1) return cut;
  }
  return lines.slice(-maxLines);
}

/** Whether a command's exit needs explaining: a nonzero code or a signal. */
export const failedExit = (e: { exitCode: number | null }) => e.exitCode !== 0;
