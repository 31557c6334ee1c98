import { closeSync } from 'node:fs';
import { z } from 'zod';
import { componentsOf, entriesAt, openChildDir, openDirAt, readChildFile } from './safe-fs.js';
import { defineTool, fail, ok } from './types.js';

/** Directories never worth showing the model: VCS internals, dependencies, caches. */
const SKIP = new Set(['.git', 'node_modules', '__pycache__']);
const MAX_GREP_FILE_BYTES = 2_000_000;

interface Entry {
  rel: string;
  dir: boolean;
  /** The opened directory holding it, valid while the walk visits it. */
  parent: number;
  name: string;
}

/** Depth-first, sorted, through opened directories: links are listed, never entered. */
function* walk(dirFd: number, prefix = ''): Generator<Entry> {
  const entries = entriesAt(dirFd).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (SKIP.has(e.name)) continue;
    const rel = prefix + e.name;
    yield { rel, dir: e.isDirectory(), parent: dirFd, name: e.name };
    if (!e.isDirectory()) continue;
    let child: number;
    try {
      child = openChildDir(dirFd, e.name);
    } catch {
      continue; // swapped for a link or removed since it was listed
    }
    try {
      yield* walk(child, `${rel}/`);
    } finally {
      closeSync(child);
    }
  }
}

/** Opens a directory named by the model, or undefined when it is not one. */
function openNamedDir(workspace: string, p: string): number | undefined {
  try {
    return openDirAt(workspace, componentsOf(workspace, p), p);
  } catch (err) {
    if (['ENOTDIR', 'ENOENT'].includes((err as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw err;
  }
}

export const listFilesTool = defineTool({
  name: 'list_files',
  description: 'List files and directories under a workspace directory, recursively (skips .git and node_modules).',
  input: {
    path: z.string().default('.').describe('Directory to list, relative to the workspace root.'),
    max_entries: z.number().int().positive().max(5000).default(500),
  },
  async run(input, ctx) {
    const root = openNamedDir(ctx.workspace, input.path);
    if (root === undefined) return fail(`${input.path} is not a directory`);
    const out: string[] = [];
    try {
      for (const e of walk(root)) {
        if (out.length >= input.max_entries) {
          out.push(`[... listing stopped at ${input.max_entries} entries; list a subdirectory]`);
          break;
        }
        out.push(e.rel + (e.dir ? '/' : ''));
      }
    } finally {
      closeSync(root);
    }
    return ok(out.length ? out.join('\n') : '(empty directory)');
  },
});

export const grepTool = defineTool({
  name: 'grep',
  description: 'Search workspace files for lines matching a regular expression; answers `file:line: text` lines.',
  input: {
    pattern: z.string().min(1).describe('JavaScript regular expression, matched per line.'),
    path: z.string().default('.').describe('File or directory to search, relative to the workspace root.'),
    ignore_case: z.boolean().default(false),
    max_results: z.number().int().positive().max(1000).default(100),
  },
  async run(input, ctx) {
    let re: RegExp;
    try {
      re = new RegExp(input.pattern, input.ignore_case ? 'i' : '');
    } catch (err) {
      return fail(`invalid regular expression: ${(err as Error).message}`);
    }
    const parts = componentsOf(ctx.workspace, input.path);
    const dir = openNamedDir(ctx.workspace, input.path);
    const hits: string[] = [];
    const search = (rel: string, buf: Buffer | undefined): boolean => {
      if (!buf || buf.subarray(0, 8000).includes(0)) return true;
      const lines = buf.toString('utf8').split('\n');
      for (let i = 0; i < lines.length; i++) {
        if (!re.test(lines[i]!)) continue;
        if (hits.length >= input.max_results) {
          hits.push(`[... stopped at ${input.max_results} matches; narrow the pattern or path]`);
          return false;
        }
        const full = ctx.redact(lines[i]!);
        hits.push(`${rel}:${i + 1}: ${full.length > 300 ? `${full.slice(0, 300)}...` : full}`);
      }
      return true;
    };
    if (dir === undefined) {
      // One file: opened through its parent, like every file of a directory search.
      if (parts.length === 0) return fail(`${input.path} does not exist`);
      const parent = openNamedDir(ctx.workspace, parts.slice(0, -1).join('/') || '.');
      if (parent === undefined) return fail(`${input.path} does not exist`);
      try {
        const buf = readChildFile(parent, parts.at(-1)!, MAX_GREP_FILE_BYTES);
        if (!buf) return fail(`${input.path} does not exist or is not a regular file of the workspace`);
        search(parts.join('/'), buf);
      } finally {
        closeSync(parent);
      }
    } else {
      const prefix = parts.length ? `${parts.join('/')}/` : '';
      try {
        for (const f of walk(dir)) {
          if (f.dir) continue;
          if (!search(prefix + f.rel, readChildFile(f.parent, f.name, MAX_GREP_FILE_BYTES))) break;
        }
      } finally {
        closeSync(dir);
      }
    }
    return ok(hits.length ? hits.join('\n') : 'no matches');
  },
});
