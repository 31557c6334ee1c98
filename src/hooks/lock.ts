import { openSync, writeSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { EnvironmentError } from '../errors.js';
import type { RunStore } from '../runs/store.js';

/**
 * Hook calls on one run exclusive of each other: Claude Code may call several at once (parallel
 * tool calls), and each folds the log, appends to it and numbers its events. The lock is the run
 * store's pid file, created exclusively, so `labpilot runs` sees the run as running meanwhile;
 * a file left by a dead process is taken over.
 */
export async function lockRun(store: RunStore, id: string, waitMs = 120_000): Promise<() => void> {
  const { lock } = store.paths(id);
  const t0 = Date.now();
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = holderOf(lock);
    if (holder !== undefined && !store.isLive(id)) {
      // Only the file of the dead holder read just now goes, not one a live process just made.
      if (holderOf(lock) === holder) rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() - t0 > waitMs) throw new EnvironmentError(`run ${id} is busy (pid ${holder ?? '?'} holds it)`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The pid in the lock file; undefined while it is being written or gone. */
export function holderOf(lock: string): number | undefined {
  try {
    const pid = Number(readFileSync(lock, 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
