import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redactor } from '../runs/redact.js';
import { openSandboxes, type RunSandboxes } from './index.js';

/** The agent's sandbox as the shell tool uses it: real bubblewrap, real commands. */
const runDir = mkdtempSync(join(tmpdir(), 'sandbox-unit-'));
const ws = join(runDir, 'workspace');
const outside = join(runDir, 'outside.txt');
let sb: RunSandboxes;

const run = async (command: string) => {
  const c = await sb.agent!.contain(command, ws);
  try {
    const r = spawnSync(c.file, c.args, { cwd: ws, env: c.env, encoding: 'utf8' });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  } finally {
    c.release();
  }
};

beforeAll(() => {
  mkdirSync(ws, { recursive: true });
  execFileSync('git', ['init', '-q'], { cwd: ws });
  writeFileSync(outside, 'outside\n');
  sb = openSandboxes({ runDir, workspace: ws, inherit: { PATH: process.env.PATH, HF_TOKEN: 'hf_NotForTheSandbox0000001' }, redactor: new Redactor({}) });
});
afterAll(() => sb?.close());

describe("the agent's sandbox", () => {
  it('writes in the workspace and its own temp dir, nowhere else', async () => {
    expect((await run('echo ok > made.txt && echo t > "$TMPDIR/t" && cat "$TMPDIR/t"')).out).toBe('t\n');
    expect(readFileSync(join(ws, 'made.txt'), 'utf8')).toBe('ok\n');
    expect((await run(`echo x > ${outside}; touch /tmp/sandbox-unit-probe; touch .git/probe`)).code).not.toBe(0);
    expect(readFileSync(outside, 'utf8')).toBe('outside\n');
    expect(existsSync('/tmp/sandbox-unit-probe')).toBe(false);
    expect(existsSync(join(ws, '.git', 'probe'))).toBe(false);
  });

  it('has a home of its own, no secret in its environment, and sees none of the host’s processes', async () => {
    const r = await run('echo "$HOME|$HF_TOKEN"; ls /proc | grep -c "^[0-9]"');
    const [home, count] = r.out.trim().split('\n');
    expect(home).toBe(`${join(runDir, 'sandbox', 'agent', 'home')}|`);
    expect(Number(count)).toBeLessThan(12);
  });
});
