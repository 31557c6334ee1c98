import { z } from 'zod';

/**
 * The playbook's `sandbox:` section. Everything is denied unless named here: `network` lists the
 * domains the agent's shell may reach (through the sandbox runtime's proxy), `env` the
 * variables it receives beyond the allow-list of env.ts; `stage` widens the
 * sandbox of the commands labpilot runs itself (`modal run`: Modal's domains, its token file and
 * its token variables). Domains take the runtime's patterns (`pypi.org`, `*.modal.com`).
 */
const Domain = z.string().regex(/^(\*\.)?[A-Za-z0-9.-]+(:\d+)?$/, 'a domain such as pypi.org or *.modal.com');

export const SandboxStage = z.strictObject({
  network: z.array(Domain).default([]),
  /** Credential files the stage commands may read (e.g. `~/.modal.toml`). */
  read: z.array(z.string().min(1)).default([]),
  /**
   * Directories stage commands may write besides the workspace, `$NAME` taken from the
   * environment (an entry whose variable is unset is left out): a local stand-in's state.
   */
  write: z.array(z.string().min(1)).default([]),
    /** Environment variables passed to stage commands, `*` as a wildcard (e.g. `MODAL_*`). */
  env: z.array(z.string().regex(/^[A-Za-z_*][A-Za-z0-9_*]*$/)).default([]),
});

export const SandboxSection = z.strictObject({
  network: z.array(Domain).default([]),
  /** Environment variables the agent's shell receives, `*` as a wildcard (a token it must use). */
  env: z.array(z.string().regex(/^[A-Za-z_*][A-Za-z0-9_*]*$/)).default([]),
  stage: SandboxStage.optional(),
});

export type SandboxSection = z.infer<typeof SandboxSection>;
export type SandboxStage = z.infer<typeof SandboxStage>;

/**
 * Files that hold credentials on a workstation; unreadable inside every sandbox unless a stage
 * names one in `read`. Relative to the home directory.
 */
export const CREDENTIAL_PATHS = [
  '.aws',
  '.ssh',
  '.gnupg',
  '.netrc',
  '.git-credentials',
  '.config/gcloud',
  '.config/gh',
  '.config/hub',
  '.config/git/credentials',
  '.config/labpilot',
  '.modal.toml',
  '.cache/huggingface',
  '.huggingface',
  '.docker/config.json',
  '.kube',
  '.npmrc',
  '.pypirc',
  '.azure',
  '.anthropic',
  '.claude.json',
  '.claude/.credentials.json',
  '.wandb',
  '.netrc.gpg',
];
