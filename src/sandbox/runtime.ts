import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { SandboxManager, type SandboxRuntimeConfig } from '@anthropic-ai/sandbox-runtime';
import { CREDENTIAL_PATHS } from './config.js';
import type { Contained } from './types.js';

/**
 * labpilot's use of Anthropic's sandbox runtime (bubblewrap on Linux, Seatbelt on macOS). The
 * runtime keeps one proxy per process, so the network allow-list is the process's (the union of
 * what the playbook allows its agent and its stages); the filesystem rules are per command.
 */

export interface Profile {
  workspace: string;
  /** The command's own temporary directory: TMPDIR points there, writes are allowed. */
  tmp: string;
  /** Credential paths (under the home directory, `~/` allowed) this profile may read. */
  read?: string[];
  /** Directories writable besides the workspace and `tmp`. */
  write?: string[];
}

const home = () => homedir();
const expand = (p: string) => resolve(p.startsWith('~/') ? join(home(), p.slice(2)) : p);

/** Why the OS sandbox cannot start here, or undefined when it can (`LABPILOT_BWRAP` names another bubblewrap). */
export function sandboxUnavailable(bwrapPath = process.env.LABPILOT_BWRAP ?? 'bwrap'): string | undefined {
  if (!SandboxManager.isSupportedPlatform()) return `the OS sandbox does not support ${process.platform}`;
  if (process.platform === 'linux') {
    // The runtime's own checks name a missing bubblewrap, socat or ripgrep.
    const deps = SandboxManager.checkDependencies();
    if (deps.errors.length > 0) return deps.errors.join('; ');
    const r = spawnSync(bwrapPath, ['--ro-bind', '/', '/', '--dev', '/dev', '--unshare-all', '--proc', '/proc', '--', 'true'], { encoding: 'utf8' });
    if (r.error) return `bubblewrap (${bwrapPath}) cannot run: ${r.error.message}`;
    if (r.status !== 0) return `bubblewrap cannot create namespaces here: ${(r.stderr || `exit ${r.status}`).trim().split('\n')[0]}`;
  }
  return undefined;
}

let started: Promise<void> | undefined;
const allowed = new Set<string>();

function baseConfig(): SandboxRuntimeConfig {
  return {
    network: { allowedDomains: [...allowed], deniedDomains: [], strictAllowlist: true },
    filesystem: { denyRead: [], allowRead: [], allowWrite: [], denyWrite: [] },
    ...(process.env.LABPILOT_BWRAP && { bwrapPath: process.env.LABPILOT_BWRAP }),
  };
}

/** Starts the runtime's proxies once per process; later domains widen the one allow-list. */
export async function startRuntime(domains: string[]): Promise<void> {
  const fresh = domains.filter((d) => !allowed.has(d));
  for (const d of fresh) allowed.add(d);
  if (!started) started = SandboxManager.initialize(baseConfig());
  else if (fresh.length > 0) {
    await started;
    SandboxManager.updateConfig(baseConfig());
  }
  await started;
}

/** Stops the proxies (at the end of a run); the next command starts them again. */
export async function stopRuntime(): Promise<void> {
  if (!started) return;
  started = undefined;
  await SandboxManager.reset();
}

/** The sandboxed form of `command`: a `bash -c` line that runs it under bubblewrap. */
export async function wrapInSandbox(command: string, p: Profile, env: Record<string, string>): Promise<Contained> {
  await started;
  const tmp = resolve(p.tmp);
  mkdirSync(tmp, { recursive: true });
  // A path that does not exist cannot be bound writable: the directories named here are made first.
  const writable = (p.write ?? []).map(expand);
  for (const dir of writable) mkdirSync(dir, { recursive: true });
  const readable = new Set((p.read ?? []).map(expand));
  const workspace = resolve(p.workspace);
  const custom: Partial<SandboxRuntimeConfig> = {
    network: { allowedDomains: [...allowed], deniedDomains: [], strictAllowlist: true },
    filesystem: {
      denyRead: CREDENTIAL_PATHS.map((c) => join(home(), c)).filter((c) => !readable.has(c)),
      allowRead: [],
      allowWrite: [workspace, tmp, ...writable],
      // The repository is labpilot's: its config and hooks run in labpilot's own git.
      denyWrite: [join(workspace, '.git'), '/tmp/claude', '/private/tmp/claude'],
    },
  };
  // The runtime points TMPDIR at a directory shared by every sandbox; this command gets its own.
  const q = shq(tmp);
  const line = `export TMPDIR=${q} TMP=${q} TEMP=${q}\n${command}`;
  const wrapped = await SandboxManager.wrapWithSandbox(line, 'bash', custom);
  let released = false;
  return {
    file: 'bash',
    args: ['-c', wrapped],
    env,
    release() {
      if (released) return;
      released = true;
      SandboxManager.cleanupAfterCommand();
    },
  };
}

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
