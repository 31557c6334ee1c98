import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { LintError } from '../errors.js';
import { packageRoot } from '../package-root.js';
import { promptRefs, ruleProblems, scriptRefs } from './lint-rules.js';
import { schemaProblems, type PathProblem } from './schema-issues.js';
import { Playbook } from './schema.js';
import { aliasProblem, MAX_ALIAS_COUNT } from './yaml-aliases.js';
import { nodeAt, offsetInScalar, positionInText, positionOf, startOf, type Path } from './yaml-positions.js';

export interface LoadedPlaybook {
  /** Absolute path of the YAML file. */
  path: string;
  /** Absolute folder of the YAML file; prompt files and scripts resolve against it. */
  dir: string;
  /** sha256 (hex) of the YAML text and every referenced prompt file. */
  hash: string;
  playbook: Playbook;
  /** Prompt reference as written (e.g. `prompts/fix.md`) -> file text. */
  prompts: Record<string, string>;
  /** `file:line:col` of a value in the YAML, for problems found after loading (a bad --var). */
  where: (at: Path, index?: number) => string;
}

/** A prompt value naming a Markdown file rather than holding the text itself. */
export function isPromptFile(value: string): boolean {
  return value.endsWith('.md') && !value.includes('\n');
}

/** A check script: the playbook's folder first, then labpilot's own python/. */
export function resolvePythonScript(dir: string, script: string): string | undefined {
  const candidates = [path.resolve(dir, script), path.resolve(packageRoot(), 'python', script)];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/**
 * A prompt file: the playbook's folder first, then labpilot's package root, so the playbooks
 * shipped in playbooks/ can name the shared prompts/ folder (`prompts/<playbook>/fix.md`).
 */
export function resolvePromptFile(dir: string, ref: string): string | undefined {
  const candidates = [path.resolve(dir, ref), path.resolve(packageRoot(), ref)];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** What loading found: every problem, and the playbook when the schema accepts it. */
type Analysis = Pick<LoadedPlaybook, 'prompts' | 'hash' | 'where'> & { problems: string[]; playbook?: Playbook };

async function analyse(file: string): Promise<Analysis> {
  const empty = { prompts: {}, hash: '', where: () => file };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { ...empty, problems: [`${file}:1:1: cannot read playbook (${(err as NodeJS.ErrnoException).code ?? 'error'})`] };
  }
  const lines = new LineCounter();
  // logLevel error: the library's own warnings (collection keys) would reach stderr unlocated; the schema reports them.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, logLevel: 'error' });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const p = positionOf(lines, e.pos[0]);
      return `${file}:${p.line}:${p.col}: YAML syntax: ${e.message.split('\n')[0]}`;
    });
    return { ...empty, problems };
  }

  const dir = path.dirname(file);
  const alias = aliasProblem(doc);
  if (alias) {
    const p = positionOf(lines, alias.offset);
    return { ...empty, problems: [`${file}:${p.line}:${p.col}: ${alias.message}`] };
  }
  const data: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  const yamlProblems: PathProblem[] = [];
  const parsed = Playbook.safeParse(data);
  if (!parsed.success) yamlProblems.push(...schemaProblems(parsed.error.issues, data));

  const prompts = new Map<string, string>();
  const promptUses = new Map<string, Path[]>();
  for (const [at, ref] of promptRefs(data)) {
    if (!isPromptFile(ref)) continue;
    promptUses.set(ref, [...(promptUses.get(ref) ?? []), at]);
    if (prompts.has(ref)) continue;
    const found = resolvePromptFile(path.resolve(dir), ref);
    if (found) prompts.set(ref, await readFile(found, 'utf8'));
    else yamlProblems.push({ path: at, message: `prompt file not found: ${ref} (looked in ${dir} and the labpilot package)` });
  }
  // Checks look their scripts up again when they run (runner/checks.ts); here only their absence is a problem.
  for (const [at, script] of scriptRefs(data)) {
    if (!resolvePythonScript(path.resolve(dir), script)) yamlProblems.push({ path: at, message: `python script not found: ${script} (looked in ${dir} and python/)` });
  }

  const rules = ruleProblems(data, prompts, promptUses);
  yamlProblems.push(...rules.yaml);
  const located = yamlProblems.map((p) => locate(doc, text, lines, p));
  located.sort((a, b) => a.line - b.line || a.col - b.col);
  const inPrompts = rules.inPrompts.map((p) => {
    const pos = positionInText(prompts.get(p.ref) ?? '', p.index);
    return `${path.join(dir, p.ref)}:${pos.line}:${pos.col}: ${p.message}`;
  });
  const problems = [...new Set([...located.map((l) => `${file}:${l.line}:${l.col}: ${l.message}`), ...inPrompts])];

  const hash = createHash('sha256').update(text);
  for (const ref of [...prompts.keys()].sort()) hash.update(`\0${ref}\0${prompts.get(ref)}`);
  return {
    problems,
    playbook: parsed.success ? parsed.data : undefined,
    prompts: Object.fromEntries(prompts),
    hash: hash.digest('hex'),
    where: (at, index) => {
      const l = locate(doc, text, lines, { path: at, index, message: '' });
      return `${file}:${l.line}:${l.col}`;
    },
  };
}

function locate(doc: Document, text: string, lines: LineCounter, p: PathProblem) {
  const { node, exact } = nodeAt(doc, p.path, p.atKey);
  let offset = startOf(node);
  if (exact && p.index !== undefined) {
    const value = String(doc.getIn(p.path as Array<string | number>) ?? '');
    offset = offsetInScalar(text, node, value, p.index);
  }
  return { ...positionOf(lines, offset), message: p.message };
}

/** Every problem in the playbook, as `file:line:col: message` lines; empty when it is clean. */
export async function lintPlaybook(file: string): Promise<string[]> {
  return (await analyse(file)).problems;
}

/** The playbook and its prompt files, with every check script found; throws LintError listing every problem. */
export async function loadPlaybook(file: string): Promise<LoadedPlaybook> {
  const a = await analyse(file);
  if (a.problems.length > 0 || a.playbook === undefined) throw new LintError(a.problems);
  const abs = path.resolve(file);
  return { path: abs, dir: path.dirname(abs), hash: a.hash, playbook: a.playbook, prompts: a.prompts, where: a.where };
}
