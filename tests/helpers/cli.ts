import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { Event, type EventOf } from '../../src/events/schema.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'labpilot.js');

export function tempDir(prefix = 'labpilot-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Copies a folder into a fresh git repository with one commit, as a user's repo would be. */
export function gitRepoFrom(template: string, dir = tempDir('labpilot-repo-')): string {
  cpSync(template, dir, { recursive: true });
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' },
    });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-qm', 'initial');
  return dir;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the real labpilot binary. */
export function labpilot(args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((res) => child.on('close', (code, signal) => res({ code, signal, stdout, stderr })));
  return { child, done };
}

export function parseEvents(ndjson: string): Event[] {
  return ndjson
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => Event.parse(JSON.parse(l)));
}

/** Narrows events to one type: `events.filter(of('command_exited'))`. */
export const of =
  <T extends Event['type']>(type: T) =>
  (e: Event): e is EventOf<T> =>
    e.type === type;

export const ofType = <T extends Event['type']>(events: Event[], type: T): Array<EventOf<T>> => events.filter(of(type));

/** Polls `f` every 20 ms until it gives a value; a process under test is watched, not slept on. */
export async function until<T>(what: string, f: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
