/**
 * The exit code of an error commander raised while parsing (it printed its message already):
 * 0 for --help and --version, 2 (bad input) for an unknown command or option, a missing or bad
 * argument. Undefined for any other error.
 */
export function cliExitCode(err: unknown): number | undefined {
  if (!(err instanceof Error) || !('code' in err) || typeof err.code !== 'string' || !err.code.startsWith('commander.')) return undefined;
  const exitCode = (err as { exitCode?: number }).exitCode;
  return exitCode === 0 ? 0 : 2;
}
