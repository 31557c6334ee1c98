import { InputError } from '../errors.js';
import type { PersonMode } from '../runner/deciders.js';

export interface FrontEnd {
  mode: PersonMode;
  /** Show the terminal app (else plain lines or NDJSON). */
  app: boolean;
}

/**
 * Who shows the run and who decides. The terminal app needs a terminal on both ends (it reads
 * keys); it is the default there, in interactive mode. Autopilot in a terminal shows the same
 * app without stopping for approval; anywhere else, and with --json, the output is lines.
 * Loads nothing heavy, so the CLI can choose before importing the engine or the UI.
 */
export function chooseFrontEnd(
  o: { mode?: string; json?: boolean },
  tty = { stdout: Boolean(process.stdout.isTTY), stdin: Boolean(process.stdin.isTTY) },
): FrontEnd {
  const terminal = tty.stdout && tty.stdin && !o.json;
  const mode = (o.mode ?? (terminal ? 'interactive' : 'autopilot')) as PersonMode;
  if (mode === 'interactive' && o.json) throw new InputError('--mode interactive shows the terminal app; it does not go with --json');
  if (mode === 'interactive' && !terminal) {
    throw new InputError('--mode interactive needs a terminal (stdin and stdout); use --mode autopilot to run unattended');
  }
  return { mode, app: terminal };
}
