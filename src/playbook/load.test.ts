import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LintError } from '../errors.js';
import { lintPlaybook, loadPlaybook, resolvePromptFile, resolvePythonScript } from './load.js';
import { packageRoot } from '../package-root.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const good = path.join(root, 'tests/fixtures/playbooks/good.yaml');

const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'labpilot-pb-'));
  temps.push(dir);
  return dir;
}

/** Writes files into a fresh folder and returns the playbook path. */
async function playbookIn(files: Record<string, string>): Promise<string> {
  const dir = await tempDir();
  for (const [name, text] of Object.entries(files)) {
    await cp(await writeTemp(text), path.join(dir, name), { recursive: true });
  }
  return path.join(dir, 'pb.yaml');
}

async function writeTemp(text: string): Promise<string> {
  const dir = await tempDir();
  const file = path.join(dir, 'f');
  await writeFile(file, text);
  return file;
}

describe('loadPlaybook', () => {
  it('loads the good playbook with defaults applied and prompt files resolved', async () => {
    const loaded = await loadPlaybook(good);
    expect(loaded.path).toBe(good);
    expect(loaded.dir).toBe(path.dirname(good));
    expect(loaded.playbook.name).toBe('good-example');
    expect(loaded.playbook.steps.map((s) => s.id)).toEqual(['implement', 'smoke', 'full', 'clarify', 'report']);
    const oom = loaded.playbook.remediations?.find((r) => r.id === 'oom');
    expect(oom).toMatchObject({ max_attempts: 2, priority: 0 });
    expect(Object.keys(loaded.prompts).sort()).toEqual(['prompts/fix-import.md', 'prompts/implement.md', 'prompts/system.md']);
    expect(loaded.prompts['prompts/fix-import.md']).toContain('The missing module is `{{ match.1 }}`');
    expect(resolvePythonScript(loaded.dir, 'checks/no_todo.py')).toBe(path.join(path.dirname(good), 'checks/no_todo.py'));
    expect(loaded.hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await loadPlaybook(good)).hash).toBe(loaded.hash);
  });

  it('changes the hash when a referenced prompt file changes', async () => {
    const dir = await tempDir();
    await cp(path.dirname(good), dir, { recursive: true });
    const copy = path.join(dir, 'good.yaml');
    const before = (await loadPlaybook(copy)).hash;
    await writeFile(path.join(dir, 'prompts/implement.md'), 'Fill the TODOs in {{workspace}}.\n');
    expect((await loadPlaybook(copy)).hash).not.toBe(before);
  });

  it('throws a LintError listing every problem', async () => {
    const broken = path.join(root, 'tests/fixtures/broken/many-problems.yaml');
    const err = await loadPlaybook(broken).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LintError);
    expect((err as LintError).problems).toHaveLength(6);
    expect((err as LintError).exitCode).toBe(2);
  });

  it('finds the package root by its package.json', () => {
    expect(packageRoot()).toBe(root);
  });

  it('resolves prompt files and scripts in the playbook folder first, then in the package', async () => {
    const dir = await tempDir();
    expect(resolvePromptFile(dir, 'README.md')).toBe(path.join(root, 'README.md'));
    await writeFile(path.join(dir, 'README.md'), 'local');
    expect(resolvePromptFile(dir, 'README.md')).toBe(path.join(dir, 'README.md'));
    expect(resolvePromptFile(dir, 'nope.md')).toBeUndefined();
    expect(resolvePythonScript(dir, 'nope.py')).toBeUndefined();
    await writeFile(path.join(dir, 'mine.py'), 'print(1)');
    expect(resolvePythonScript(dir, 'mine.py')).toBe(path.join(dir, 'mine.py'));
  });
});

describe('lintPlaybook rules', () => {
  it('a step reached only through then.retry or next is not unreachable, one in a next-cycle gap is', async () => {
    const pb = await playbookIn({
      'pb.yaml': `name: loops
steps:
  - id: a
    kind: prompt
    prompt: A
    next: c
  - id: b
    kind: prompt
    prompt: B
  - id: c
    kind: prompt
    prompt: C
    next: a
  - id: d
    kind: prompt
    prompt: D
remediations:
  - id: r
    when: { match: "x" }
    then: { ask: "?", retry: d }
`,
    });
    expect(await lintPlaybook(pb)).toEqual([`${pb}:7:9: unreachable step 'b'`]);
  });

  it('rejects an infinite budget or duration, located, with why', async () => {
    const pb = await playbookIn({
      'pb.yaml': `name: p
budgets:
  dollars: .inf
  wall_time: 1e308
  turns: .nan
steps:
  - id: a
    kind: run
    command: "true"
    timeout: ${'9'.repeat(320)}h
  - id: b
    kind: run
    command: "true"
    timeout: .nan
`,
    });
    expect(await lintPlaybook(pb)).toEqual([
      `${pb}:3:12: dollars: expected number, got Infinity, which is not a finite number`,
      `${pb}:4:14: a duration must be a finite number of seconds`,
      `${pb}:5:10: turns: expected number, got NaN, which is not a finite number`,
      `${pb}:10:14: a duration must be a finite number of seconds`,
      `${pb}:14:14: timeout: expected number or string, got NaN, which is not a finite number`,
    ]);
  });

  it('a prompt file shared by a step and a remediation may not use match variables', async () => {
    const pb = await playbookIn({
      'pb.yaml': `name: shared
steps:
  - id: a
    kind: prompt
    prompt: fix.md
remediations:
  - id: r
    when: { match: "x" }
    then: { prompt: fix.md }
`,
      'fix.md': 'Line one\nseen: {{match}}\n',
    });
    expect(await lintPlaybook(pb)).toEqual([`${path.join(path.dirname(pb), 'fix.md')}:2:7: undefined variable 'match'`]);
  });

  it('accepts declared variables, metrics.* and escaped braces, and rejects match outside remediations', async () => {
    const pb = await playbookIn({
      'pb.yaml': `name: vars
variables:
  repo: { default: "x" }
steps:
  - id: a
    kind: run
    command: "echo {{repo}} {{metrics.a.rate}} \\\\{{not_a_var}} {{ match.1 }}"
`,
    });
    expect(await lintPlaybook(pb)).toEqual([`${pb}:7:64: undefined variable 'match.1'`]);
  });

  it('reports an empty file as a schema problem at the top', async () => {
    const pb = await playbookIn({ 'pb.yaml': '' });
    expect(await lintPlaybook(pb)).toEqual([`${pb}:1:1: playbook: expected object, got null`]);
  });

  it('reports wrong types and bad durations with the value', async () => {
    const pb = await playbookIn({
      'pb.yaml': `name: types
budgets:
  turns: many
  wall_time: 2 days
steps:
  - id: a
    kind: shell
`,
    });
    expect(await lintPlaybook(pb)).toEqual([
      `${pb}:3:10: turns: expected number, got string 'many'`,
      `${pb}:4:14: wall_time: a duration is a number of seconds or like "90s", "30m", "2h"`,
      `${pb}:7:11: kind: invalid value 'shell' (allowed: prompt, run, check)`,
    ]);
  });
});
