import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateCheck } from './checks.js';
import { createExecaRunner } from './command-runner.js';

const workspace = mkdtempSync(join(tmpdir(), 'labpilot-checks-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));
const ctx = { workspace, commands: createExecaRunner(), metrics: {}, scriptDirs: [] };

describe('a command check', () => {
  it('fails when it outlasts its own timeout, and says so', async () => {
    const t0 = Date.now();
    const outcome = await evaluateCheck({ check: 'command', run: 'echo started; sleep 30', timeout: '1s' }, ctx);
    expect(outcome.passed).toBe(false);
    expect(outcome.detail).toMatch(/^timed out after 1s/);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it('passes on exit 0 within its timeout', async () => {
    expect(await evaluateCheck({ check: 'command', run: 'true', timeout: '30s' }, ctx)).toMatchObject({ passed: true, detail: 'exit 0' });
  });
});

describe('checks on files the agent controls', () => {
  it('do not follow a link out of the workspace: no one-bit oracle on outside files', async () => {
    const { symlinkSync, writeFileSync } = await import('node:fs');
    const outside = join(mkdtempSync(join(tmpdir(), 'labpilot-outside-')), 'secret.toml');
    writeFileSync(outside, 'token_secret = "abc"\n');
    symlinkSync(outside, join(workspace, 'SUMMARY.md'));
    const m = await evaluateCheck({ check: 'file_matches', path: 'SUMMARY.md', regex: 'token_secret' }, ctx);
    expect(m.passed).toBe(false);
    expect(m.detail).toMatch(/symbolic link/);
    expect((await evaluateCheck({ check: 'file_exists', path: 'SUMMARY.md' }, ctx)).passed).toBe(false);
  });

  it('do not hang on a FIFO: the check answers at once', async () => {
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [join(workspace, 'fifo.md')]);
    const t0 = Date.now();
    const m = await evaluateCheck({ check: 'file_matches', path: 'fifo.md', regex: 'x' }, ctx);
    expect(m).toMatchObject({ passed: false, detail: expect.stringMatching(/not a regular file/) });
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('read a regular file as before, and refuse a path out of the workspace', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(workspace, 'ok.md'), 'Baseline: 88%\n');
    expect((await evaluateCheck({ check: 'file_matches', path: 'ok.md', regex: '[Bb]aseline' }, ctx)).passed).toBe(true);
    expect((await evaluateCheck({ check: 'file_exists', path: '../../etc/passwd' }, ctx)).passed).toBe(false);
  });
});
