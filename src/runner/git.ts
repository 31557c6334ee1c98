import { simpleGit, type SimpleGit, type SimpleGitOptions } from 'simple-git';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Git } from '../ports.js';
import { EnvironmentError } from '../errors.js';
import { sandboxEnv } from '../sandbox/env.js';

const AUTHOR = { name: 'labpilot', email: 'labpilot@localhost' };

/**
 * simple-git refuses to run when the environment names an editor, pager, askpass or ssh program
 * (each could run arbitrary code) and guards every GIT_* variable. labpilot passes on the
 * caller's environment minus all of those, then its own identity and the TLS settings an https
 * clone needs; a credential prompt must fail rather than hang an unattended run.
 */
const PASSED_GIT_ENV = ['GIT_SSL_CAINFO', 'GIT_SSL_CAPATH'];

export function gitEnv(env: NodeJS.ProcessEnv = process.env, remote = false): Record<string, string> {
  // Git and what it may start (an ssh, a credential helper) see no secret of labpilot's.
  const out = sandboxEnv(env, { allow: ['HOME', 'SSH_AUTH_SOCK'] });
  for (const key of PASSED_GIT_ENV) if (env[key] !== undefined) out[key] = env[key]!;
  // Local work reads no system or user configuration; clone and push keep the user's (its
  // credential helper, its ssh settings), which no command of the run can write.
  const isolated: Record<string, string> = remote ? {} : { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_ATTR_NOSYSTEM: '1' };
  return {
    ...out,
    ...isolated,
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: AUTHOR.name,
    GIT_AUTHOR_EMAIL: AUTHOR.email,
    GIT_COMMITTER_NAME: AUTHOR.name,
    GIT_COMMITTER_EMAIL: AUTHOR.email,
  };
}

/**
 * Settings given on the command line, which win over the repository's own configuration: a
 * repository whose `.git/config` names hooks, an fsmonitor, a pager, an editor, an ssh command,
 * a credential helper or an external diff runs none of them in labpilot's git.
 */
const SAFE_CONFIG = [
  'core.hooksPath=/dev/null',
  'core.fsmonitor=false',
  'core.attributesFile=/dev/null',
  'core.pager=cat',
  'core.editor=true',
  'core.askPass=',
  'core.sshCommand=',
  'core.gitProxy=',
  'credential.helper=',
  'diff.external=',
  'protocol.ext.allow=never',
  'protocol.file.allow=user',
  'submodule.recurse=false',
  // A repository nested in the workspace (the agent can make one) is never looked into: its own
  // configuration (an fsmonitor, a filter) would run as the user, outside the sandbox.
  'diff.ignoreSubmodules=all',
  'status.submoduleSummary=false',
  'fetch.recurseSubmodules=false',
];

/**
 * simple-git refuses these settings on the command line, where they usually come from a caller
 * that could be steered; here they are labpilot's own constants, and each one disables a way to
 * run code.
 */
const OWN_SETTINGS = Object.fromEntries(
  ['HooksPath', 'FsMonitor', 'ConfigPaths', 'Pager', 'Editor', 'AskPass', 'SshCommand', 'GitProxy', 'CredentialHelper', 'DiffExternal', 'ProtocolOverride', 'Filter', 'Submodule'].map((k) => [`allowUnsafe${k}`, true]),
) as NonNullable<SimpleGitOptions['unsafe']>;

/** What clone and push keep: the user's way to authenticate. */
const REMOTE_KEEPS = ['core.sshCommand=', 'core.askPass=', 'credential.helper='];

/** simple-git in `dir` with labpilot's guarded environment (see gitEnv) and settings (SAFE_CONFIG). */
export function gitIn(dir?: string, remote = false): SimpleGit {
  const env = gitEnv(process.env, remote);
  const allowEnvironment = Object.keys(env).filter((k) => /^GIT_/i.test(k));
  const config = [...SAFE_CONFIG.filter((c) => !remote || !REMOTE_KEEPS.some((k) => c.startsWith(k.slice(0, -1)))), ...filterOverrides(dir)];
  return simpleGit({ baseDir: dir, allowEnvironment, config, unsafe: OWN_SETTINGS }).env(env);
}

/**
 * A clean or smudge filter in the repository's configuration runs on `git add`; each one
 * configured is emptied (an empty command is no filter) and made optional.
 */
function filterOverrides(dir: string | undefined): string[] {
  if (!dir || !existsSync(join(dir, '.git'))) return [];
  const r = spawnSync('git', ['config', '--name-only', '--get-regexp', '^filter\\.'], { cwd: dir, env: gitEnv(), encoding: 'utf8' });
  const drivers = new Set((r.stdout ?? '').split('\n').map((k) => /^filter\.(.+)\.[^.]+$/.exec(k.trim())?.[1]).filter((d): d is string => !!d));
  return [...drivers].flatMap((d) => [`filter.${d}.clean=`, `filter.${d}.smudge=`, `filter.${d}.process=`, `filter.${d}.required=false`]);
}

/** Real git through simple-git: every agent turn that changed files becomes a commit. */
export function createGit(): Git {
  const git = gitIn;
  return {
    async clone(url, dir, branch, ref) {
      try {
        await gitIn(undefined, true).clone(url, dir, ref ? ['--branch', ref] : []);
      } catch (err) {
        throw new EnvironmentError(`cannot clone ${url}: ${firstLine(err)}`);
      }
      await git(dir).checkoutLocalBranch(branch);
    },
    async ensureRepo(dir, branch) {
      if (!existsSync(join(dir, '.git'))) {
        await git(dir).init();
        await git(dir).raw(['commit', '--allow-empty', '-m', 'labpilot: start']);
      }
      const branches = await git(dir).branchLocal();
      if (branches.current === branch) return;
      if (branches.all.includes(branch)) await git(dir).checkout(branch);
      else await git(dir).checkoutLocalBranch(branch);
    },
    async commitAll(dir, message) {
      const g = git(dir);
      // Nested repositories are left out of the commit: adding one records it as a gitlink,
      // which later commands would descend into (and one without a commit stops `add` cold).
      const untracked = (await g.raw(['ls-files', '-z', '--others', '--exclude-standard', '--directory', '--no-empty-directory'])).split('\0');
      const nested = untracked.filter((p) => p.endsWith('/') && existsSync(join(dir, p, '.git')));
      await g.add(['-A', '--', '.', ...nested.map((p) => `:(exclude,literal)${p}`)]);
      const status = await g.status(['--ignore-submodules=all']);
      const files = status.files.map((f) => f.path).filter((p) => !nested.includes(p));
      if (files.length === 0) return undefined;
      const result = await g.commit(message);
      return { sha: result.commit, files };
    },
    async push(dir, branch) {
      const remotes = await git(dir).getRemotes();
      if (remotes.length === 0) return false;
      await gitIn(dir, true).push(remotes[0]!.name, branch, ['--set-upstream']);
      return true;
    },
  };
}

function firstLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err).trim().split('\n')[0] ?? '';
}
