import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGit, gitEnv } from './git.js';

/** A repository whose own configuration tries every way git has to run a command. */
function hostileRepo(): { dir: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'git-hostile-'));
  const out = mkdtempSync(join(tmpdir(), 'git-hostile-out-'));
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  const mark = (name: string) => `sh -c 'env > ${join(out, name)}; cat'`;
  execFileSync('git', ['config', 'core.fsmonitor', mark('fsmonitor')], { cwd: dir });
  execFileSync('git', ['config', 'filter.evil.clean', mark('filter')], { cwd: dir });
  execFileSync('git', ['config', 'filter.evil.required', 'true'], { cwd: dir });
  execFileSync('git', ['config', 'core.pager', mark('pager')], { cwd: dir });
  writeFileSync(join(dir, '.gitattributes'), '* filter=evil\n');
  for (const hook of ['pre-commit', 'commit-msg', 'post-commit', 'prepare-commit-msg']) {
    writeFileSync(join(dir, '.git', 'hooks', hook), `#!/bin/sh\nenv > ${join(out, hook)}\n`);
    chmodSync(join(dir, '.git', 'hooks', hook), 0o755);
  }
  writeFileSync(join(dir, 'a.txt'), 'hello\n');
  return { dir, out };
}

describe("labpilot's git", () => {
  it('commits a repository whose config names hooks, an fsmonitor, a filter and a pager without running any', async () => {
    const { dir, out } = hostileRepo();
    process.env.LABPILOT_TEST_SECRET_TOKEN = 'must-not-leak-0123456789';
    try {
      const git = createGit();
      await git.ensureRepo(dir, 'labpilot/test');
      const c = await git.commitAll(dir, 'turn 1');
      expect(c?.files.sort()).toEqual(['.gitattributes', 'a.txt']);
    } finally {
      delete process.env.LABPILOT_TEST_SECRET_TOKEN;
    }
    for (const name of ['fsmonitor', 'filter', 'pager', 'pre-commit', 'commit-msg', 'post-commit', 'prepare-commit-msg']) {
      expect(existsSync(join(out, name)), name).toBe(false);
    }
    // The filter did not run: the committed blob is the file as written.
    expect(execFileSync('git', ['show', 'HEAD:a.txt'], { cwd: dir }).toString()).toBe(readFileSync(join(dir, 'a.txt'), 'utf8'));
  });

  it('passes no secret to git and reads no user or system configuration for local work', () => {
    const env = gitEnv({ PATH: '/usr/bin', HOME: '/home/u', ANTHROPIC_API_KEY: 'sk-ant-xxxxxxxxxxxxxxxxxxxxxxxx', HF_TOKEN: 'hf_abcdefghijklmnopqrstuvwx', GIT_DIR: '/elsewhere', LANG: 'C.UTF-8' });
    expect(env).toMatchObject({ PATH: '/usr/bin', HOME: '/home/u', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LANG: 'C.UTF-8' });
    expect(Object.keys(env)).not.toContain('ANTHROPIC_API_KEY');
    expect(Object.keys(env)).not.toContain('HF_TOKEN');
    expect(Object.keys(env)).not.toContain('GIT_DIR');
    expect(gitEnv({ PATH: '/usr/bin' }, true).GIT_CONFIG_GLOBAL).toBeUndefined();
  });
});

describe("labpilot's git and a repository nested in the workspace", () => {
  it('runs nothing the nested repository configures, however many turns commit around it', async () => {
    const top = mkdtempSync(join(tmpdir(), 'git-top-'));
    const git = createGit();
    await git.ensureRepo(top, 'labpilot/test');
    // The agent makes a repository of its own inside the workspace, configured to run code.
    const { dir: nested, out } = hostileRepo();
    execFileSync('mv', [nested, join(top, 'nested')]);
    writeFileSync(join(top, 'b.txt'), 'turn 1\n');
    await git.commitAll(top, 'turn 1');
    writeFileSync(join(top, 'nested', 'a.txt'), 'changed inside\n');
    writeFileSync(join(top, 'b.txt'), 'turn 2\n');
    await git.commitAll(top, 'turn 2');
    // Nothing of the top repository changed: no commit, and the nested one is not recorded.
    expect(await git.commitAll(top, 'turn 3')).toBeUndefined();
    expect(execFileSync('git', ['ls-files', '-s'], { cwd: top, encoding: 'utf8' })).not.toMatch(/^160000/m);
    for (const name of ['fsmonitor', 'filter', 'pager', 'pre-commit', 'commit-msg', 'post-commit', 'prepare-commit-msg']) {
      expect(existsSync(join(out, name)), name).toBe(false);
    }
  });
});
