import { ExitCode, escapeControl, exitCodeOf, messageOf } from '../errors.js';
import { lintPlaybook } from '../playbook/load.js';

export interface LintIo {
  out: { write(s: string): unknown };
  err: { write(s: string): unknown };
}

/**
 * `labpilot lint <playbook...>`: every problem of every file, one `file:line:col: message` per
 * line on stderr, `ok <path>` on stdout for clean files. 0 when all are clean, 2 otherwise.
 */
export async function lintCommand(
  paths: string[],
  io: LintIo = { out: process.stdout, err: process.stderr },
): Promise<number> {
  if (paths.length === 0) {
    io.err.write('labpilot lint: give at least one playbook file\n');
    return ExitCode.input;
  }
  let code: number = ExitCode.passed;
  for (const file of paths) {
    try {
      const problems = await lintPlaybook(file);
      for (const p of problems) io.err.write(`${escapeControl(p)}\n`);
      if (problems.length === 0) io.out.write(`ok ${file}\n`);
      else code = Math.max(code, ExitCode.input);
    } catch (err) {
      // Never a stack trace: an unexpected failure is one line, with its own exit code.
      io.err.write(`labpilot: ${file}: ${messageOf(err)}\n`);
      code = Math.max(code, exitCodeOf(err));
    }
  }
  return code;
}
