/**
 * The few typed errors labpilot raises, and the one place they map to exit codes.
 * The CLI prints `labpilot: <message>` on one line and exits with the code; no stack traces.
 */

export class LabpilotError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A playbook, transcript or argument is malformed. `where` is `file:line:col` when known. */
export class InputError extends LabpilotError {
  constructor(
    message: string,
    readonly where?: string,
  ) {
    super(where ? `${where}: ${message}` : message, 2);
  }
}

/** Several located problems at once (lint); each line is `file:line:col: message`. */
export class LintError extends LabpilotError {
  readonly problems: string[];
  constructor(problems: string[]) {
    const clean = problems.map(escapeControl);
    super(clean.join('\n'), 2);
    this.problems = clean;
  }
}

/**
 * A message with its control characters (newlines included) written as escapes: a value it
 * quotes cannot start a line of its own, forge a `file:line:col` or move the cursor.
 */
export function escapeControl(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is escaped
  return s.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** Missing key, unreachable server, missing tool: the environment is not ready. */
export class EnvironmentError extends LabpilotError {
  constructor(message: string) {
    super(message, 3);
  }
}

/** The run stopped without a verdict (a killed process, a turn that failed for good); resumable. */
export class RunInterrupted extends LabpilotError {
  constructor(
    message: string,
    readonly runId: string,
  ) {
    super(`${message} (resume with: labpilot resume ${runId})`, 4);
  }
}

/** Exit codes of a finished run, by verdict. */
export const verdictExitCode = {
  passed: 0,
  failed: 1,
  aborted: 1,
  budget_exhausted: 1,
  error: 1,
} as const;

export function exitCodeOf(err: unknown): number {
  return err instanceof LabpilotError ? err.exitCode : 70;
}

export function messageOf(err: unknown): string {
  if (err instanceof LintError) return err.message;
  if (err instanceof LabpilotError) return escapeControl(err.message);
  if (err instanceof Error) return `internal error: ${escapeControl(err.message)}`;
  return `internal error: ${escapeControl(String(err))}`;
}
