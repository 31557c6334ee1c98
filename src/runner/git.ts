import { simpleGit, type SimpleGit } from 'simple-git';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Git } from '../ports.js';
import { EnvironmentError } from '../errors.js';

const AUTHOR = { name: 'labpilot', email: 'labpilot@localhost' };

/**
 * simple-git refuses to run when the environment names an editor, pager, askpass or ssh program
 * (each could run arbitrary code) and guards every GIT_* variable. labpilot passes on the
 * caller's environment minus all of those, then its own identity and the TLS settings an https
 * clone needs; a credential prompt must fail rather than hang an unattended run.
 */
const UNSAFE_ENV = /^(EDITOR|VISUAL|PAGER|PREFIX|SSH_ASKPASS|GIT_.*)$/i;
const PASSED_GIT_ENV = ['GIT_SSL_CAINFO', 'GIT_SSL_CAPATH'];

export function gitEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && (!UNSAFE_ENV.test(key) || PASSED_GIT_ENV.includes(key))) out[key] = value;
  }
  return {
    ...out,
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: AUTHOR.name,
    GIT_AUTHOR_EMAIL: AUTHOR.email,
    GIT_COMMITTER_NAME: AUTHOR.name,
    GIT_COMMITTER_EMAIL: AUTHOR.email,
  };
}

/** simple-git in `dir` with labpilot's guarded environment (see gitEnv). */
export function gitIn(dir?: string): SimpleGit {
  const env = gitEnv();
  const allowEnvironment = Object.keys(env).filter((k) => /^GIT_/i.test(k));
  return simpleGit({ baseDir: dir, allowEnvironment }).env(env);
}

/** Real git through simple-git: every agent turn that changed files becomes a commit. */
export function createGit(): Git {
  const git = gitIn;
  return {
    async clone(url, dir, branch, ref) {
      try {
        await git().clone(url, dir, ref ? ['--branch', ref] : []);
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
      await g.add(['-A']);
      const status = await g.status();
      if (status.staged.length === 0 && status.files.length === 0) return undefined;
      const files = status.files.map((f) => f.path);
      const result = await g.commit(message);
      return { sha: result.commit, files };
    },
    async push(dir, branch) {
      const remotes = await git(dir).getRemotes();
      if (remotes.length === 0) return false;
      await git(dir).push(remotes[0]!.name, branch, ['--set-upstream']);
      return true;
    },
  };
}

function firstLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err).trim().split('\n')[0] ?? '';
}
