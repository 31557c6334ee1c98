/**
 * Signals to a process group. A command labpilot starts is spawned `detached`, so it leads a
 * group of its own and a signal to the group also reaches whatever it started.
 */

/** Sends `signal` to the group `pgid` leads; a group already gone is not an error. */
export function killGroup(pgid: number | undefined, signal: NodeJS.Signals): void {
  if (pgid === undefined) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

/** SIGTERM to the group, then SIGKILL once `graceMs` have passed, for what ignored the first. */
export function stopGroup(pgid: number | undefined, graceMs: number): void {
  killGroup(pgid, 'SIGTERM');
  setTimeout(() => killGroup(pgid, 'SIGKILL'), graceMs).unref();
}
