import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { killGroup, stopGroup } from './kill-group.js';

/** A detached shell that starts a child printing its pid, then waits on it. */
async function group(script: string) {
  const child = spawn('sh', ['-c', script], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  const grandchild = Number(chunk.toString().trim());
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { leader: child.pid!, grandchild, exited };
}

/** Running, as /proc tells: a killed process nobody has reaped yet (a zombie) is not. */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};

describe('process-group signals', () => {
  it('reach what the command started, not only the command', async () => {
    const g = await group('sleep 30 & echo $!; wait');
    killGroup(g.leader, 'SIGTERM');
    const [, signal] = await g.exited;
    expect(signal).toBe('SIGTERM');
    await expect.poll(() => alive(g.grandchild)).toBe(false);
  });

  it('end a group that ignores SIGTERM with SIGKILL after the grace', async () => {
    const g = await group(`trap '' TERM; sh -c 'trap "" TERM; sleep 30' & echo $!; wait`);
    stopGroup(g.leader, 200);
    const [, signal] = await g.exited;
    expect(signal).toBe('SIGKILL');
    await expect.poll(() => alive(g.grandchild)).toBe(false);
  });

  it('take a group that is gone, or no pid, without an error', async () => {
    const g = await group('echo $$');
    await g.exited;
    expect(() => killGroup(g.leader, 'SIGKILL')).not.toThrow();
    expect(() => killGroup(undefined, 'SIGKILL')).not.toThrow();
  });
});
