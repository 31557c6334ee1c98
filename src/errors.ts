/**
 * The few typed errors labpilot raises, and the one place they map to exit codes.
 * The CLI prints `labpilot: <message>` on one line and exits with the code; no stack traces.
 */

/** The exit codes labpilot documents (docs/architecture.md); no other code leaves the CLI. */
export const ExitCode = {
  passed: 0,
  /** The run failed or was aborted; also an error labpilot did not foresee. */
  failed: 1,
  /** A playbook, argument, run log or transcript is malformed. */
  input: 2,
  /** A key, program, server or the sandbox is missing. */
  environment: 3,
  /** Stopped without a verdict; `labpilot resume` continues it. */
  interrupted: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class LabpilotError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
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
    super(where ? `${where}: ${message}` : message, ExitCode.input);
  }
}

/** Several located problems at once (lint); each line is `file:line:col: message`. */
export class LintError extends LabpilotError {
  readonly problems: string[];
  constructor(problems: string[]) {
    const clean = problems.map(escapeControl);
    super(clean.join('\n'), ExitCode.input);
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
    super(message, ExitCode.environment);
  }
}

/** The run stopped without a verdict (a killed process, a turn that failed for good); resumable. */
export class RunInterrupted extends LabpilotError {
  constructor(
    message: string,
    readonly runId: string,
  ) {
    super(`${message} (resume with: labpilot resume ${runId})`, ExitCode.interrupted);
  }
}

/** Exit codes of a finished run, by verdict. */
export const verdictExitCode = {
  passed: ExitCode.passed,
  failed: ExitCode.failed,
  aborted: ExitCode.failed,
  budget_exhausted: ExitCode.failed,
  error: ExitCode.failed,
} as const;

/**
 * An error commander raised while parsing the command line; it has printed its message (and the
 * "did you mean") already.
 */
export function isCommanderError(err: unknown): err is Error & { code: string; exitCode: number } {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('commander.');
}

export function exitCodeOf(err: unknown): ExitCode {
  if (err instanceof LabpilotError) return err.exitCode;
  // --help and --version end well; an unknown command or option, a missing or bad argument is
  // bad input (commander's own code would be 1, which means a failed run here).
  if (isCommanderError(err)) return err.exitCode === 0 ? ExitCode.passed : ExitCode.input;
  // Not foreseen (a bug, a system error nobody typed): the command failed, and messageOf says
  // "internal error". Never a code outside the documented set.
  return ExitCode.failed;
}

/**
 * The exit code of a failed `labpilot hook` call. Claude Code's hook protocol reads exit 2 as
 * "block" (the session would be held by labpilot's own trouble) and any other non-zero code as
 * an error it shows the person and goes on; so every failure is 1, whatever exitCodeOf says.
 */
export function hookExitCodeOf(err: unknown): ExitCode {
  return exitCodeOf(err) === ExitCode.passed ? ExitCode.passed : ExitCode.failed;
}

export function messageOf(err: unknown): string {
  if (err instanceof LintError) return err.message;
  if (err instanceof LabpilotError) return escapeControl(err.message);
  if (err instanceof Error) return `internal error: ${escapeControl(err.message)}`;
  return `internal error: ${escapeControl(String(err))}`;
}
