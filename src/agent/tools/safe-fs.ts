import { closeSync, constants, existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync, type Dirent, writeSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { PathEscapeError } from './jail.js';

/**
 * File access that cannot be raced out of the workspace. A path is split into components and
 * opened one component at a time, each relative to the directory already opened (through
 * `/proc/self/fd/N/<name>`, Node's stand-in for openat) and with O_NOFOLLOW: no symbolic link
 * is followed anywhere, and a directory swapped after it was opened does not move what is
 * opened under it (Linux; see viaFd for elsewhere). There is no check apart from the open itself. A regular file with more
 * than one link is refused, judged on the opened descriptor.
 */

const { O_RDONLY, O_WRONLY, O_CREAT, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = constants;
/** Whether descriptor-relative opens are possible (Linux). */
export const DESCRIPTOR_PATHS = existsSync('/proc/self/fd');

/**
 * Without /proc (macOS) a directory is named by the path it was opened at: each component is
 * still opened without following a link, but a parent renamed between two opens is not seen.
 */
const pathOf = new Map<number, string>();
const viaFd = (fd: number, name?: string): string => {
  const dir = DESCRIPTOR_PATHS ? `/proc/self/fd/${fd}` : pathOf.get(fd)!;
  return name === undefined ? dir : `${dir}/${name}`;
};
const openDir = (path: string, flags: number): number => {
  const fd = openSync(path, flags);
  if (!DESCRIPTOR_PATHS) pathOf.set(fd, path);
  return fd;
};

/** The workspace-relative components of `p`, or PathEscapeError when it leads out. */
export function componentsOf(workspace: string, p: string): string[] {
  if (p.includes('\0')) throw new PathEscapeError(p);
  const root = resolve(workspace);
  const rel = relative(root, resolve(root, p));
  if (rel === '') return [];
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) throw new PathEscapeError(p);
  return rel.split(sep);
}

/** Refuses writes into the repository's own `.git`: labpilot's git reads it. */
export function assertNotGitDir(parts: string[], requested: string): void {
  if (parts[0]?.toLowerCase() === '.git') throw new PathEscapeError(requested, 'is inside .git, which belongs to labpilot');
}

function linkError(err: unknown, requested: string): never {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') throw new PathEscapeError(requested, 'goes through a symbolic link, which may lead outside the workspace');
  throw err;
}

/** Opens the directory `parts` below the workspace, each step without following a link. */
export function openDirAt(workspace: string, parts: string[], requested: string, create = false): number {
  let fd = openDir(realpathSync(workspace), O_RDONLY | O_DIRECTORY);
  try {
    for (const name of parts) {
      let next: number;
      try {
        next = openDir(viaFd(fd, name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (!(create && code === 'ENOENT')) {
          // A link to a directory fails as ENOTDIR or ELOOP: either way it is not entered.
          if (code === 'ENOTDIR' && isLinkAt(fd, name)) throw new PathEscapeError(requested, 'goes through a symbolic link, which may lead outside the workspace');
          linkError(err, requested);
        }
        mkdirSync(viaFd(fd, name));
        next = openDir(viaFd(fd, name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      }
      closeSync(fd);
      fd = next;
    }
    return fd;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

function isLinkAt(dirFd: number, name: string): boolean {
  return readdirSync(viaFd(dirFd), { withFileTypes: true }).some((e) => e.name === name && e.isSymbolicLink());
}

/** Opens the file `parts` (last component the file) and checks it is a regular file of one link. */
function openFileAt(workspace: string, parts: string[], requested: string, flags: number, create: boolean): number {
  const name = parts.at(-1);
  if (name === undefined) throw Object.assign(new Error(`${requested} is a directory`), { code: 'EISDIR' });
  const dir = openDirAt(workspace, parts.slice(0, -1), requested, create);
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO planted in the workspace must not hang the tool.
    fd = openSync(viaFd(dir, name), flags | O_NOFOLLOW | O_NONBLOCK, 0o644);
  } catch (err) {
    linkError(err, requested);
  } finally {
    closeSync(dir);
  }
  const st = fstatSync(fd);
  const why = st.isDirectory() ? 'is a directory' : !st.isFile() ? 'is not a regular file' : st.nlink > 1 ? 'is a hard link (its other names may be outside the workspace)' : undefined;
  if (why) {
    closeSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error(`${requested} ${why}`), { code: 'EISDIR' });
    throw new PathEscapeError(requested, why);
  }
  return fd;
}

export function readFileIn(workspace: string, requested: string, max = Infinity): Buffer {
  const fd = openFileAt(workspace, componentsOf(workspace, requested), requested, O_RDONLY, false);
  try {
    // Judged on the opened descriptor: a file swapped for a bigger one after a check is still bounded.
    if (fstatSync(fd).size > max) throw new PathEscapeError(requested, `is larger than ${max} bytes, more than labpilot reads`);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function writeFileIn(workspace: string, requested: string, content: string): void {
  const parts = componentsOf(workspace, requested);
  assertNotGitDir(parts, requested);
  const fd = openFileAt(workspace, parts, requested, O_WRONLY | O_CREAT, true);
  try {
    // Truncated only once the descriptor is known to be the workspace's own regular file.
    ftruncateSync(fd, 0);
    const buf = Buffer.from(content, 'utf8');
    for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off, off);
  } finally {
    closeSync(fd);
  }
}

/** The entries of an opened directory (links listed, never entered). */
export const entriesAt = (dirFd: number): Dirent[] => readdirSync(viaFd(dirFd), { withFileTypes: true });

/** Opens `name` inside an opened directory as a directory, without following a link. */
export const openChildDir = (dirFd: number, name: string): number => openDir(viaFd(dirFd, name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);

/** Reads `name` inside an opened directory when it is a regular file of one link and at most `max` bytes. */
export function readChildFile(dirFd: number, name: string, max: number): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(viaFd(dirFd, name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    return st.isFile() && st.nlink === 1 && st.size <= max ? readFileSync(fd) : undefined;
  } finally {
    closeSync(fd);
  }
}
