import { STRONG, TRACEBACK_START } from '../agent/tools/cut-output.js';

/**
 * The line that says what went wrong in a command's output: the exception line of the last
 * Python traceback (what finally killed the program), else the first strong error line (a
 * build's first error is its cause; the rest cascade). The same detector as the output cut
 * (src/agent/tools/cut-output.ts), so the line a prompt quotes is a line the excerpt kept.
 */
export function errorLine(lines: readonly string[]): string | undefined {
  let start = -1;
  lines.forEach((l, i) => {
    if (TRACEBACK_START.test(l)) start = i;
  });
  if (start >= 0) {
    for (let j = start + 1; j < lines.length; j++) {
      const l = lines[j]!;
      // Frames and source lines are indented; a cut marker stands for frames left out.
      if (l.trim() === '' || /^\s/.test(l) || l.startsWith('[... ') || /^(During handling|The above exception)/.test(l)) continue;
      return l.trim();
    }
  }
  return lines.find((l) => STRONG.test(l) && !TRACEBACK_START.test(l))?.trim();
}
