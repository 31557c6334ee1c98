import { lstatSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * Confines agent file access to the run's workspace (docs/architecture.md, "Containment"): no
 * `..` escapes, no absolute paths elsewhere, no symlinks whose target lies outside.
 */

export class PathEscapeError extends Error {
  constructor(
    readonly requested: string,
    why = 'is outside the workspace',
  ) {
    super(`${requested} ${why}`);
    this.name = 'PathEscapeError';
  }
}

/** Whether `p` is `root` or below it, judged on the relative path (`/ws-evil` is not inside `/ws`). */
export const inside = (root: string, p: string): boolean => {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
};

const present = (p: string): boolean => {
  try {
    lstatSync(p); // lstat, not stat: a dangling symlink is present and must be judged
    return true;
  } catch {
    return false;
  }
};

/** The deepest ancestor of `p` (itself included) that exists on disk, symlinks included. */
function deepestExisting(p: string): string {
  let cur = p;
  while (!present(cur)) {
    const parent = dirname(cur);
    if (parent === cur) return cur;
    cur = parent;
  }
  return cur;
}

/**
 * Resolves `p` (relative to the workspace, or absolute) to an absolute path inside the
 * workspace, or throws PathEscapeError. Paths that do not exist yet are judged by the real
 * path of their deepest existing ancestor, so a symlinked directory cannot smuggle a write out.
 */
export function resolveInside(workspace: string, p: string): string {
  if (p.includes('\0')) throw new PathEscapeError(p);
  const root = resolve(workspace);
  const abs = resolve(root, p);
  if (!inside(root, abs)) throw new PathEscapeError(p);
  const realRoot = realpathSync(root);
  const anchor = deepestExisting(abs);
  let realAnchor: string;
  try {
    realAnchor = realpathSync(anchor);
  } catch {
    // A dangling symlink: writing through it would create its target wherever that is.
    throw new PathEscapeError(p);
  }
  if (!inside(realRoot, realAnchor)) throw new PathEscapeError(p);
  return abs;
}
