import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The folder holding labpilot's package.json, whether this module runs from src/ (tsx, the
 * tests) or from dist/: what ships beside the code (bin/, playbooks/, prompts/, python/,
 * templates/) is found from here.
 */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && /"name"\s*:\s*"labpilot"/.test(readFileSync(pkg, 'utf8'))) return (root = dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('labpilot package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** labpilot's version, as its package.json says. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
