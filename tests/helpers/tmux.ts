import { execFileSync } from 'node:child_process';

/** Whether tmux is installed: the terminal tests need it for a real pty (`.ci/run` installs it). */
export const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();

/** tmux on a server of the test's own (`-L socket`), so tests never touch a person's sessions. */
export const tmuxOn =
  (socket: string) =>
  (...args: string[]): string =>
    execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
