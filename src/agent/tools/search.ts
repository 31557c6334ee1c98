import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { assertOwnFile, resolveInside } from './jail.js';
import { defineTool, fail, ok } from './types.js';

/** Directories never worth showing the model: VCS internals, dependencies, caches. */
const SKIP = new Set(['.git', 'node_modules', '__pycache__']);
const MAX_GREP_FILE_BYTES = 2_000_000;

interface Entry {
  abs: string;
  dir: boolean;
}

/** Depth-first, sorted, without following symlinks (they are listed, never entered). */
async function* walk(dir: string): AsyncGenerator<Entry> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (SKIP.has(e.name)) continue;
    const abs = join(dir, e.name);
    yield { abs, dir: e.isDirectory() };
    if (e.isDirectory()) yield* walk(abs);
  }
}

const ListInput = z.strictObject({
  path: z.string().default('.').describe('Directory to list, relative to the workspace root.'),
  max_entries: z.number().int().positive().max(5000).default(500),
});

export const listFilesTool = defineTool({
  name: 'list_files',
  description: 'List files and directories under a workspace directory, recursively (skips .git and node_modules).',
  input: ListInput,
  async run(input: z.infer<typeof ListInput>, ctx) {
    const root = resolveInside(ctx.workspace, input.path);
    if (!(await stat(root).catch(() => undefined))?.isDirectory()) return fail(`${input.path} is not a directory`);
    const out: string[] = [];
    for await (const e of walk(root)) {
      if (out.length >= input.max_entries) {
        out.push(`[... listing stopped at ${input.max_entries} entries; list a subdirectory]`);
        break;
      }
      out.push(relative(root, e.abs) + (e.dir ? '/' : ''));
    }
    return ok(out.length ? out.join('\n') : '(empty directory)');
  },
});

const GrepInput = z.strictObject({
  pattern: z.string().min(1).describe('JavaScript regular expression, matched per line.'),
  path: z.string().default('.').describe('File or directory to search, relative to the workspace root.'),
  ignore_case: z.boolean().default(false),
  max_results: z.number().int().positive().max(1000).default(100),
});

export const grepTool = defineTool({
  name: 'grep',
  description: 'Search workspace files for lines matching a regular expression; answers `file:line: text` lines.',
  input: GrepInput,
  async run(input: z.infer<typeof GrepInput>, ctx) {
    let re: RegExp;
    try {
      re = new RegExp(input.pattern, input.ignore_case ? 'i' : '');
    } catch (err) {
      return fail(`invalid regular expression: ${(err as Error).message}`);
    }
    const root = resolveInside(ctx.workspace, input.path);
    const st = await stat(root).catch(() => undefined);
    if (!st) return fail(`${input.path} does not exist`);
    const files: AsyncIterable<Entry> | Entry[] = st.isDirectory() ? walk(root) : [{ abs: root, dir: false }];
    const hits: string[] = [];
    outer: for await (const f of files) {
      if (f.dir) continue;
      // A listed symlink or a hard link may lead outside the workspace: skip what does.
      try {
        assertOwnFile(resolveInside(ctx.workspace, f.abs), f.abs);
      } catch {
        continue;
      }
      const fst = await stat(f.abs).catch(() => undefined);
      if (!fst?.isFile() || fst.size > MAX_GREP_FILE_BYTES) continue;
      const buf = await readFile(f.abs);
      if (buf.subarray(0, 8000).includes(0)) continue;
      const rel = relative(ctx.workspace, f.abs);
      const lines = buf.toString('utf8').split('\n');
      for (let i = 0; i < lines.length; i++) {
        if (!re.test(lines[i]!)) continue;
        if (hits.length >= input.max_results) {
          hits.push(`[... stopped at ${input.max_results} matches; narrow the pattern or path]`);
          break outer;
        }
        const full = ctx.redact(lines[i]!);
        const line = full.length > 300 ? `${full.slice(0, 300)}...` : full;
        hits.push(`${rel}:${i + 1}: ${line}`);
      }
    }
    return ok(hits.length ? hits.join('\n') : 'no matches');
  },
});
