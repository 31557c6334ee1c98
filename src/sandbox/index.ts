import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Redactor } from '../runs/redact.js';
import type { SandboxSection } from './config.js';
import { sandboxEnv } from './env.js';
import { sandboxUnavailable, startRuntime, stopRuntime, wrapInSandbox } from './runtime.js';
import type { CommandSandbox, Contained, SandboxChoice } from './types.js';
import { EnvironmentError } from '../errors.js';

export type { CommandSandbox, Contained, SandboxChoice } from './types.js';
export { SandboxSection, SandboxStage, CREDENTIAL_PATHS } from './config.js';
export { sandboxEnv } from './env.js';
export { sandboxUnavailable } from './runtime.js';

export interface RunSandboxes {
  choice: SandboxChoice;
  /** The agent's shell: the workspace (not its .git) and a private temp dir, no credential. */
  agent?: CommandSandbox;
  /** The commands labpilot runs itself: as the agent's, plus what the playbook's `stage` names. */
  stage?: CommandSandbox;
  close(): Promise<void>;
}

export interface SandboxOptions {
  /** The run folder: the workspace lives in it, private temp dirs go under it. */
  runDir: string;
  workspace: string;
  section?: SandboxSection;
  inherit: NodeJS.ProcessEnv;
  redactor: Redactor;
  /** The person chose to run without the sandbox (`--no-sandbox`). */
  disabled?: boolean;
}

/** `$NAME` and `${NAME}` from the environment; an entry naming an unset variable is dropped. */
function expandAll(paths: string[], env: NodeJS.ProcessEnv): string[] {
  return paths.flatMap((p) => {
    let unset = false;
    const out = p.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_m, name: string) => env[name] ?? ((unset = true), ''));
    return unset ? [] : [out];
  });
}

/**
 * The sandboxes of one run. Without an OS sandbox labpilot refuses to run agent or stage
 * commands (exit 3) unless the person passed `--no-sandbox`; either way the choice is recorded.
 */
export function openSandboxes(o: SandboxOptions): RunSandboxes {
  if (o.disabled) return { choice: { enabled: false, detail: 'off (--no-sandbox): commands run with the user’s full file access' }, close: async () => {} };
  const why = sandboxUnavailable();
  if (why) throw new EnvironmentError(`the OS sandbox cannot start: ${why}; install bubblewrap, socat and ripgrep, or pass --no-sandbox to run the agent uncontained`);
  const section = o.section ?? { network: [], env: [] };
  const stageNet = section.stage?.network ?? [];
  const domains = [...new Set([...section.network, ...stageNet])];
  // The proxies start with the first contained command: a session that runs none starts nothing.
  let ready: Promise<void> | undefined;
  const make = (name: string, extra: { read?: string[]; write?: string[]; env?: string[] }): CommandSandbox => ({
    async contain(command: string, _cwd: string, added: Record<string, string> = {}): Promise<Contained> {
      await (ready ??= startRuntime(domains));
      const tmp = join(o.runDir, 'sandbox', name, 'tmp');
      const homeDir = join(o.runDir, 'sandbox', name, 'home');
      // The agent gets an empty home of its own; a stage keeps the user's (its tool's config lives there).
      const own: Record<string, string> = o.inherit.HOME ? { HOME: o.inherit.HOME } : {};
      const set: Record<string, string> = name === 'agent' ? { HOME: homeDir, XDG_CACHE_HOME: join(homeDir, '.cache'), XDG_CONFIG_HOME: join(homeDir, '.config') } : own;
      if (name === 'agent') mkdirSync(homeDir, { recursive: true });
      const env = sandboxEnv(o.inherit, { allow: extra.env, set: { ...added, ...set }, redactor: o.redactor });
      return wrapInSandbox(command, { workspace: o.workspace, tmp, read: extra.read, write: name === 'agent' ? [homeDir, ...(extra.write ?? [])] : extra.write }, env);
    },
  });
  const net = domains.length ? `network: ${domains.join(', ')}` : 'no network';
  return {
    choice: { enabled: true, detail: `on (${process.platform === 'darwin' ? 'Seatbelt' : 'bubblewrap'} via @anthropic-ai/sandbox-runtime; writes: workspace; ${net})` },
    agent: make('agent', { env: section.env }),
    // Stages may also write the run's results folder: the cross-check fetches the stage's results
    // JSON there through the stage's own tool (`modal volume get`), after the stage has exited.
    stage: make('stage', { read: section.stage?.read, env: section.stage?.env, write: [join(o.runDir, 'results'), ...expandAll(section.stage?.write ?? [], o.inherit)] }),
    close: async () => {
      if (ready) await stopRuntime();
    },
  };
}
