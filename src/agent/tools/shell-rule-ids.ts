/**
 * The ids of the shell policy's built-in rules and what each refuses. Kept apart from the
 * policy itself so the playbook schema can name them without loading the policy.
 */

/** Built-in rules; a playbook can lift one by id (`policy.shell.allow`). */
export const BUILTIN_RULES = {
  'write-outside': 'writes, moves or deletes files outside the workspace',
  'wipe-workspace': 'deletes the whole workspace or its .git',
  'rm-variable': 'deletes recursively through an unexpanded variable (empty means /)',
  'cd-outside': 'works in a directory outside the workspace',
  'symlink-escape': 'links to a path outside the workspace',
  credentials: 'reads credential files (ssh keys, cloud and registry tokens, process environments)',
  'pipe-to-shell': 'runs a program read from a pipe or a download',
  upload: 'sends a file over the network',
  'network-tool': 'opens raw or remote connections (nc, ssh, scp, remote rsync)',
  'git-push-force': 'rewrites or deletes remote git history',
  'global-config': 'changes configuration outside the workspace',
  system: 'acts on the machine (mkfs, shutdown, kill -1, fork bombs, crontab, mount)',
  privilege: 'runs as another user (sudo, su)',
  'git-push': 'pushes to a remote',
} as const;
export type RuleId = keyof typeof BUILTIN_RULES;
export const BUILTIN_RULE_IDS = Object.keys(BUILTIN_RULES) as RuleId[];

/** Risky rather than forbidden: allowed when a person approves, refused in autopilot. */
export const ASK_RULES = new Set<string>(['privilege', 'git-push']);
