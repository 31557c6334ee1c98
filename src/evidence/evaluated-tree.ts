import { execFile } from 'node:child_process';
import { closeSync, readlinkSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { createTwoFilesPatch as jsdiffPatch } from 'diff';
import { entriesAt, openChildDir, openDirAt, readChildFile, DESCRIPTOR_PATHS } from '../agent/tools/safe-fs.js';
import { gitEnv } from '../runner/git.js';
import { cutRegions, type EditableParts } from './editable.js';

/**
 * The tree a run step evaluates: the pristine tree recorded at setup plus exactly the agent's
 * changes inside the editable parts. labpilot reads the pristine tree from git's object store
 * (the agent's sandbox cannot write `.git`) and the workspace without following a link
 * (safe-fs.ts), so what it compares is what is there. A change anywhere else (the harness, a
 * helper package, a new file Python or the shell would load) is refused with its diff; the
 * hash of the evaluated tree is what the report and the final checklist hold the stages to.
 */
export interface TreeVerdict {
  /** sha256 over the evaluated tree (path, mode, blob id), the same for the same code. */
  hash: string;
  pristine: string;
  /** Editable paths that differ from the pristine tree. */
  changed: string[];
  /** One line per change of the pristine tree outside the editable parts (a file changed, deleted, relinked). */
  refused: string[];
  /** New entries outside the editable parts: refused where a stage would load them, not code that ran before they came. */
  strays: string[];
  /** The diff of the editable parts against the pristine tree (bounded). */
  diff: string;
  /** The diff of what was refused (bounded). */
  refusedDiff: string;
}

const run = promisify(execFile);
/** Bounds: a workspace bigger than this is not a code tree labpilot can vouch for. */
const MAX_FILES = 100_000;
const MAX_FILE_BYTES = 256 << 20;
const MAX_DIFF_CHARS = 40_000;

interface Entry {
  mode: string;
  id: string;
}

async function git(workspace: string, args: string[]): Promise<string> {
  // Object reads only: no filter, hook or fsmonitor runs for ls-tree and cat-file.
  const { stdout } = await run('git', ['-c', 'core.fsmonitor=false', ...args], { cwd: workspace, env: gitEnv(), maxBuffer: 512 << 20 });
  return stdout;
}

async function pristineTree(workspace: string, sha: string): Promise<Map<string, Entry>> {
  const out = new Map<string, Entry>();
  for (const rec of (await git(workspace, ['ls-tree', '-r', '-z', '--full-tree', sha])).split('\0')) {
    const m = /^(\d+) (\w+) ([0-9a-f]+)\t([\s\S]+)$/.exec(rec);
    if (m && m[2] === 'blob') out.set(m[4]!, { mode: m[1]!, id: m[3]! });
  }
  return out;
}

const blobText = (workspace: string, id: string) => git(workspace, ['cat-file', 'blob', id]);

function blobId(content: Buffer, width: number): string {
  const h = createHash(width === 64 ? 'sha256' : 'sha1');
  return h.update(`blob ${content.length}\0`).update(content).digest('hex');
}

interface Found {
  content?: Buffer;
  /** A link's target, or why the entry is not a file labpilot reads. */
  link?: string;
  other?: string;
}

/** Every entry under the workspace but `.git` and `__pycache__` (stages run with their own pycache prefix). */
function walkWorkspace(workspace: string): Map<string, Found> {
  const out = new Map<string, Found>();
  const visit = (fd: number, prefix: string, depth: number) => {
    for (const e of entriesAt(fd)) {
      const rel = prefix + e.name;
      if ((prefix === '' && e.name === '.git') || e.name === '__pycache__') continue;
      if (out.size >= MAX_FILES) throw new Error(`the workspace holds more than ${MAX_FILES} files`);
      if (e.isDirectory()) {
        if (depth > 64) throw new Error(`${rel}: folders nested more than 64 deep`);
        const child = openChildDir(fd, e.name);
        try {
          visit(child, `${rel}/`, depth + 1);
        } finally {
          closeSync(child);
        }
      } else if (e.isSymbolicLink()) {
        out.set(rel, { link: DESCRIPTOR_PATHS ? readlinkSync(`/proc/self/fd/${fd}/${e.name}`) : '?' });
      } else if (e.isFile()) {
        const content = readChildFile(fd, e.name, MAX_FILE_BYTES);
        out.set(rel, content ? { content } : { other: 'not a plain file of one link under 256 MiB' });
      } else {
        out.set(rel, { other: 'not a regular file (a FIFO, socket or device)' });
      }
    }
  };
  const root = openDirAt(workspace, [], '.');
  try {
    visit(root, '', 0);
  } finally {
    closeSync(root);
  }
  return out;
}

export async function evaluateTree(o: { workspace: string; pristine: string; editable: EditableParts }): Promise<TreeVerdict> {
  const before = await pristineTree(o.workspace, o.pristine);
  const now = walkWorkspace(o.workspace);
  const evaluated = new Map<string, Entry>();
  const changed: string[] = [];
  const refused: string[] = [];
  const strays: string[] = [];
  const diffs: string[] = [];
  const refusedDiffs: string[] = [];
  const width = [...before.values()][0]?.id.length ?? 40;
  const patch = async (path: string, old: Entry | undefined, text: string | undefined) =>
    createTwoFilesPatch(`a/${path}`, `b/${path}`, old ? await blobText(o.workspace, old.id) : '', text ?? '', undefined, undefined, { context: 3 });

  for (const [path, old] of before) {
    const found = now.get(path);
    now.delete(path);
    if (o.editable.isOutput(path)) continue;
    if (old.mode === '120000') {
      const same = found?.link !== undefined && found.link === (await blobText(o.workspace, old.id));
      if (same) evaluated.set(path, old);
      else refused.push(`${path}: a link in the pristine tree, changed`);
      continue;
    }
    if (o.editable.isFile(path)) {
      if (found?.content) evaluated.set(path, { mode: old.mode, id: blobId(found.content, width) });
      if (!found?.content || evaluated.get(path)!.id !== old.id) {
        changed.push(path);
        diffs.push(await patch(path, old, found?.content?.toString('utf8')));
      }
      continue;
    }
    if (!found?.content) {
      refused.push(`${path}: ${found === undefined ? 'deleted' : found.link !== undefined ? 'replaced by a link' : found.other}`);
      continue;
    }
    const id = blobId(found.content, width);
    if (id === old.id) {
      evaluated.set(path, old);
      continue;
    }
    const markers = o.editable.regionsOf(path);
    const text = found.content.toString('utf8');
    if (markers) {
      const was = cutRegions(await blobText(o.workspace, old.id), markers);
      const is = cutRegions(text, markers);
      if (!is.broken && is.outside.join('\n') === was.outside.join('\n')) {
        evaluated.set(path, { mode: old.mode, id });
        changed.push(path);
        diffs.push(await patch(path, old, text));
        continue;
      }
      refused.push(`${path}: changed outside its editable regions${is.broken ? ` (${is.broken})` : ''}`);
      refusedDiffs.push(createTwoFilesPatch(`a/${path}`, `b/${path}`, was.outside.join('\n'), is.outside.join('\n'), 'outside the regions', 'outside the regions', { context: 2 }));
      continue;
    }
    refused.push(`${path}: changed, and it is not editable`);
    refusedDiffs.push(await patch(path, old, text));
  }
  for (const [path, found] of now) {
    if (o.editable.isOutput(path)) continue;
    if (found.content && o.editable.isFile(path)) {
      evaluated.set(path, { mode: '100644', id: blobId(found.content, width) });
      changed.push(path);
      diffs.push(await patch(path, undefined, found.content.toString('utf8')));
    } else if (found.content) {
      strays.push(`${path}: a new file outside the editable parts`);
      refusedDiffs.push(createTwoFilesPatch('/dev/null', `b/${path}`, '', found.content.subarray(0, 4096).toString('utf8'), undefined, undefined, { context: 0 }));
    } else {
      strays.push(`${path}: ${found.link !== undefined ? `a new link (to ${found.link})` : found.other}, outside the editable parts`);
    }
  }
  const hash = createHash('sha256');
  for (const path of [...evaluated.keys()].sort()) hash.update(`${evaluated.get(path)!.mode} ${evaluated.get(path)!.id} ${path}\0`);
  return { hash: hash.digest('hex'), pristine: o.pristine, changed: changed.sort(), refused, strays, diff: bounded(diffs), refusedDiff: bounded(refusedDiffs) };
}

/** A unified diff as git prints one: jsdiff's `=====` separator line left out. */
function createTwoFilesPatch(...args: Parameters<typeof jsdiffPatch>): string {
  return jsdiffPatch(...args).replace(/^=+\n/, '');
}

function bounded(parts: string[]): string {
  const all = parts.join('');
  return all.length <= MAX_DIFF_CHARS ? all : `${all.slice(0, MAX_DIFF_CHARS)}\n... (${all.length - MAX_DIFF_CHARS} more characters)\n`;
}
