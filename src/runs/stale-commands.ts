import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { killGroup } from '../proc/kill-group.js';

/**
 * Commands run in their own process group, so a labpilot killed with SIGKILL leaves a silent
 * command (a `modal run` waiting on a remote job) running. Each running command's group is
 * recorded beside its log; `labpilot resume` ends what a dead run left behind before it runs
 * the command again, so the two never run side by side.
 */

interface Record {
  pid: number;
  /** Start time from /proc, so a recycled pid is never mistaken for the command. */
  startTime?: string;
}

const HAS_PROC = existsSync('/proc/self/stat');
const pidFile = (commandsDir: string, commandId: string) => join(commandsDir, `${commandId}.pid`);

/** Notes the command's process group; the returned function forgets it once the command ended. */
export function recordCommand(commandsDir: string, commandId: string, pid: number): () => void {
  const file = pidFile(commandsDir, commandId);
  const record: Record = { pid, startTime: startTimeOf(pid) };
  writeFileSync(file, JSON.stringify(record) + '\n');
  return () => rmSync(file, { force: true });
}

export interface StaleCommand {
  commandId: string;
  pid: number;
  /** 'stopped': it was still running and was ended; 'unverified': alive but could not be proven ours, left alone. */
  outcome: 'stopped' | 'unverified';
}

/** Ends every recorded command group still running (SIGTERM, then SIGKILL after `graceMs`). */
export async function stopStaleCommands(commandsDir: string, graceMs = 2000): Promise<StaleCommand[]> {
  if (!existsSync(commandsDir)) return [];
  const found: StaleCommand[] = [];
  for (const name of readdirSync(commandsDir).filter((n) => n.endsWith('.pid'))) {
    const file = join(commandsDir, name);
    const commandId = name.slice(0, -'.pid'.length);
    const record = readRecord(file);
    rmSync(file, { force: true });
    if (!record || !groupAlive(record.pid)) continue;
    // Without /proc the pid cannot be checked against the record; killing a stranger is worse.
    if (record.startTime === undefined || !HAS_PROC) {
      found.push({ commandId, pid: record.pid, outcome: 'unverified' });
      continue;
    }
    // A leader with another start time is a recycled pid. A gone leader with a live group is the
    // command's own children: a group id is not reused while any member lives.
    const now = startTimeOf(record.pid);
    if (now !== undefined && now !== record.startTime) continue;
    killGroup(record.pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (groupAlive(record.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (groupAlive(record.pid)) killGroup(record.pid, 'SIGKILL');
    found.push({ commandId, pid: record.pid, outcome: 'stopped' });
  }
  return found;
}

function readRecord(file: string): Record | undefined {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as Record;
    return Number.isInteger(r.pid) && r.pid > 1 ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Whether any process of the group still runs; a zombie nobody reaps does not count. */
function groupAlive(pgid: number): boolean {
  if (!HAS_PROC) return signalReaches(pgid);
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const fields = statFields(Number(name));
    if (fields && fields[0] !== 'Z' && Number(fields[2]) === pgid) return true;
  }
  return false;
}

function signalReaches(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Field 22 of /proc/<pid>/stat (clock ticks since boot); undefined where there is no /proc. */
export function startTimeOf(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** /proc/<pid>/stat from field 3 (state) on, or undefined when the process is gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}
