import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { execFileSync } from 'node:child_process';

/**
 * Keeps labpilot's files in the person's repository (the run folder, the settings file with
 * the hooks) out of git without touching a tracked file: each path git does not ignore yet gets
 * a line in the repository's own `info/exclude`. Returns the paths it added.
 */
export function excludeFromGit(project: string, paths: string[]): string[] {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const ignored = (p: string) => {
    try {
      git('check-ignore', '-q', '--no-index', p);
      return true;
    } catch {
      return false;
    }
  };
  const rel = paths.map((p) => relative(project, p)).filter((p) => p !== '' && !p.startsWith('..') && !isAbsolute(p) && !ignored(p));
  if (rel.length === 0) return [];
  const exclude = join(project, git('rev-parse', '--git-path', 'info/exclude'));
  mkdirSync(dirname(exclude), { recursive: true });
  const before = existsSync(exclude) ? readFileSync(exclude, 'utf8') : '';
  const lines = rel.map((p) => `/${p.split('\\').join('/')}`);
  appendFileSync(exclude, `${before === '' || before.endsWith('\n') ? '' : '\n'}# labpilot attach\n${lines.join('\n')}\n`);
  return rel;
}
