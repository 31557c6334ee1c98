import { mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createToolSet, type ToolSet } from './index.js';

let ws: string;
let outside: string;
let tools: ToolSet;
beforeEach(() => {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'tools-')));
  ws = join(base, 'ws');
  outside = join(base, 'outside');
  mkdirSync(ws);
  mkdirSync(outside);
  tools = createToolSet({ workspace: ws, commandTimeoutMs: 5000, outputBudgetChars: 4000 });
});

describe('tool set', () => {
  it('describes every tool with an object JSON Schema', () => {
    expect(tools.definitions.map((d) => d.name)).toEqual(['bash', 'read_file', 'write_file', 'edit_file', 'list_files', 'grep']);
    for (const d of tools.definitions) expect(d.inputSchema).toMatchObject({ type: 'object' });
  });

  it('answers bad input and unknown tools with error results, not throws', async () => {
    expect(await tools.execute('bash', { cmd: 'ls' })).toMatchObject({ isError: true, output: expect.stringContaining('invalid input for bash') });
    expect(await tools.execute('rm_rf', {})).toMatchObject({ isError: true, output: expect.stringContaining('unknown tool rm_rf') });
    expect(await tools.execute('read_file', { path: 'missing.txt' })).toMatchObject({ isError: true, output: expect.stringContaining('no such file') });
  });

  it('write_file creates parent directories; read_file reads whole files and line ranges', async () => {
    expect(await tools.execute('write_file', { path: 'a/b/c.txt', content: 'one\ntwo\nthree\n' })).toMatchObject({ isError: false });
    expect(readFileSync(join(ws, 'a/b/c.txt'), 'utf8')).toBe('one\ntwo\nthree\n');
    expect((await tools.execute('read_file', { path: 'a/b/c.txt' })).output).toBe('one\ntwo\nthree\n');
    expect((await tools.execute('read_file', { path: 'a/b/c.txt', start_line: 2, end_line: 3 })).output).toBe('[lines 2-3 of 3]\ntwo\nthree');
  });

  it('edit_file replaces a string that occurs exactly once and refuses ambiguous or missing ones', async () => {
    writeFileSync(join(ws, 'm.py'), 'x = 1\ny = 1\nz = 2\n');
    const twice = await tools.execute('edit_file', { path: 'm.py', old_string: '= 1', new_string: '= 3' });
    expect(twice).toMatchObject({ isError: true, output: expect.stringContaining('occurs 2 times') });
    const missing = await tools.execute('edit_file', { path: 'm.py', old_string: 'w = 9', new_string: 'w = 0' });
    expect(missing).toMatchObject({ isError: true, output: expect.stringContaining('not found') });
    expect(readFileSync(join(ws, 'm.py'), 'utf8')).toBe('x = 1\ny = 1\nz = 2\n');

    expect(await tools.execute('edit_file', { path: 'm.py', old_string: 'y = 1', new_string: 'y = $& 4' })).toMatchObject({ isError: false });
    expect(readFileSync(join(ws, 'm.py'), 'utf8')).toBe('x = 1\ny = $& 4\nz = 2\n');
    expect(await tools.execute('edit_file', { path: 'm.py', old_string: ' = ', new_string: '=', replace_all: true })).toMatchObject({
      isError: false,
      output: 'replaced 3 occurrences in m.py',
    });
    expect(readFileSync(join(ws, 'm.py'), 'utf8')).toBe('x=1\ny=$& 4\nz=2\n');
  });

  it('keeps file tools inside the workspace, through symlinks too', async () => {
    symlinkSync(outside, join(ws, 'out'));
    for (const path of ['../x.txt', '/etc/passwd', 'out/x.txt']) {
      const r = await tools.execute('write_file', { path, content: 'pwned' });
      expect(r).toMatchObject({ isError: true, output: expect.stringContaining('outside the workspace') });
    }
    expect(existsSync(join(outside, 'x.txt'))).toBe(false);
    expect(await tools.execute('read_file', { path: '/etc/passwd' })).toMatchObject({ isError: true });
  });

  it('bash runs in the workspace, interleaves stderr, reports the exit code', async () => {
    writeFileSync(join(ws, 'f.txt'), 'content\n');
    const r = await tools.execute('bash', { command: 'cat f.txt; echo oops >&2; exit 2' });
    expect(r).toEqual({ output: 'content\noops\n[exit code 2]', isError: true });
    expect(await tools.execute('bash', { command: 'pwd' })).toEqual({ output: `${ws}\n[exit code 0]`, isError: false });
  });

  it('bash does not hand inherited secrets to commands', async () => {
    process.env.LABPILOT_TEST_API_KEY = 'sk-secret';
    try {
      const r = await tools.execute('bash', { command: 'echo "[${LABPILOT_TEST_API_KEY:-unset}]"' });
      expect(r.output).toContain('[unset]');
    } finally {
      delete process.env.LABPILOT_TEST_API_KEY;
    }
  });

  it('bash kills a command and its children at the timeout', async () => {
    const t0 = Date.now();
    const r = await tools.execute('bash', { command: 'echo started; sleep 30 & sleep 30; echo never', timeout_ms: 300 });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.isError).toBe(true);
    expect(r.output).toContain('started');
    expect(r.output).toContain('[timed out after 0.3s; command killed]');
    expect(r.output).not.toContain('never');
  });

  it('bash stops when the signal aborts', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const r = await tools.execute('bash', { command: 'sleep 30' }, ac.signal);
    expect(r).toMatchObject({ isError: true, output: expect.stringContaining('[aborted') });
  });

  it('list_files skips .git and node_modules; grep answers file:line: text', async () => {
    mkdirSync(join(ws, '.git'));
    mkdirSync(join(ws, 'node_modules/pkg'), { recursive: true });
    mkdirSync(join(ws, 'src'));
    writeFileSync(join(ws, '.git/config'), 'TODO hidden');
    writeFileSync(join(ws, 'node_modules/pkg/index.js'), 'TODO hidden');
    writeFileSync(join(ws, 'src/eval.py'), 'import os\n# TODO(1): load policy\nx = 1\n# todo(2): lower\n');
    expect((await tools.execute('list_files', {})).output).toBe('src/\nsrc/eval.py');
    expect((await tools.execute('grep', { pattern: 'TODO\\(\\d\\)' })).output).toBe('src/eval.py:2: # TODO(1): load policy');
    expect((await tools.execute('grep', { pattern: 'todo', ignore_case: true, path: 'src' })).output.split('\n')).toHaveLength(2);
    expect(await tools.execute('grep', { pattern: '(' })).toMatchObject({ isError: true });
  });
});

describe('a risky command on autopilot', () => {
  it('is refused without running, and the refusal is told for the run log', async () => {
    const ws = realpathSync(mkdtempSync(join(tmpdir(), 'tools-refused-')));
    const told: Array<[string, string]> = [];
    const set = createToolSet({ workspace: ws, commandTimeoutMs: 5000, refused: (command, reason) => told.push([command, reason]) });
    const r = await set.execute('bash', { command: 'git push origin main && touch pushed' });
    expect(r.isError).toBe(true);
    expect(r.output).toContain('nobody is there to approve it (autopilot)');
    expect(existsSync(join(ws, 'pushed'))).toBe(false);
    expect(told).toHaveLength(1);
    expect(told[0]![0]).toBe('git push origin main && touch pushed');
  });
});
