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
