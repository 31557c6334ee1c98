import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { CREDENTIAL_PATHS, type SandboxSection } from './config.js';

/**
 * The same containment for Claude Code's own Bash tool, through its sandbox settings (it uses
 * the same runtime): writes in the workspace but not its .git, credential files unreadable,
 * the playbook's domains only; a command may not ask to run outside the sandbox, and Claude
 * Code refuses to start when the sandbox cannot run.
 */
export function claudeCodeSandbox(workspace: string, section?: SandboxSection) {
  const ws = resolve(workspace);
  return {
    enabled: true,
    failIfUnavailable: true,
    allowUnsandboxedCommands: false,
    autoAllowBashIfSandboxed: false,
    filesystem: {
      allowWrite: [ws],
      denyWrite: [join(ws, '.git')],
      denyRead: CREDENTIAL_PATHS.map((c) => join(homedir(), c)),
    },
    network: { allowedDomains: section?.network ?? [], strictAllowlist: true },
  };
}
