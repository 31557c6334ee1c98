import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { BIN, gitRepoFrom, labpilot, ROOT } from '../helpers/cli.js';

/**
 * attach and detach through the real binary, on the person's own Claude Code settings: what
 * was there before attach is there, byte for byte, after detach.
 */
const PLAYBOOK = join(ROOT, 'playbooks', 'fix-failing-test.yaml');

/** A person's settings, written their way: tabs, their key order, their own hooks, no final newline. */
const THEIRS = `{
\t"permissions": { "allow": ["Bash(npm test:*)"], "deny": [] },
\t"env": { "FOO": "bar" },
\t"hooks": {
\t\t"Stop": [ { "hooks": [ { "type": "command", "command": "./scripts/check-tests.sh" } ] } ],
\t\t"PreToolUse": [ { "matcher": "Bash", "hooks": [ { "type": "command", "command": "./scripts/guard.sh" } ] } ]
\t},
\t"model": "opus"
}`;

const repo = () => gitRepoFrom(join(ROOT, 'templates', 'calc-repo'));
const run = async (cwd: string, ...args: string[]) => labpilot(args, {}, cwd).done;
const settingsOf = (dir: string) => join(dir, '.claude', 'settings.local.json');

describe('attach and detach on the person’s Claude Code settings', () => {
  it('keeps the settings and hooks already there, and detach puts the file back byte for byte', async () => {
    const dir = repo();
    mkdirSync(join(dir, '.claude'));
    writeFileSync(settingsOf(dir), THEIRS);
    const attach = await run(dir, 'attach', PLAYBOOK);
    expect(attach.code, attach.stderr).toBe(0);
    expect(attach.stdout).toContain('kept what was there: permissions, env, model, Stop hook x1, PreToolUse hook x1');
    const during = JSON.parse(readFileSync(settingsOf(dir), 'utf8'));
    expect(during.permissions).toEqual({ allow: ['Bash(npm test:*)'], deny: [] });
    expect(during.hooks.Stop).toHaveLength(2);
    expect(during.hooks.Stop[0].hooks[0].command).toBe('./scripts/check-tests.sh');
    expect(during.hooks.Stop[1].hooks[0].command).toMatch(/labpilot\.js' '--home' .* 'hook' 'Stop' '--run' '/);
    expect(Object.keys(during.hooks)).toEqual(['Stop', 'PreToolUse', 'SessionStart', 'UserPromptSubmit', 'PostToolUse', 'PostToolUseFailure']);

    const detach = await run(dir, 'detach');
    expect(detach.code, detach.stderr).toBe(0);
    expect(detach.stdout).toContain('put back as it was before attach');
    expect(readFileSync(settingsOf(dir), 'utf8')).toBe(THEIRS);
    const runs = await run(dir, 'runs');
    expect(runs.stdout).toMatch(/fix-failing-test\s+aborted\s.*\s0 step\(s\) passed\s+detached from Claude Code/);
  });

  it('removes the file and the folder it created', async () => {
    const dir = repo();
    const attach = await run(dir, 'attach', PLAYBOOK);
    expect(attach.code).toBe(0);
    expect(existsSync(settingsOf(dir))).toBe(true);
    // Neither the run folder nor the hooks show up in git: the agent will not commit them.
    expect(attach.stdout).toContain('kept out of git (in .git/info/exclude): .labpilot, .claude/settings.local.json');
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: dir, encoding: 'utf8' })).toBe('');
    expect((await run(dir, 'runs')).stdout).toMatch(/fix-failing-test\s+attached\s.*\s0 step\(s\) passed\s+in Claude Code; end with: labpilot detach/);
    const detach = await run(dir, 'detach');
    expect(detach.stdout).toContain('removed (attach had created it)');
    expect(existsSync(join(dir, '.claude'))).toBe(false);
  });

  it('takes out only its own hooks from a file the person edited meanwhile', async () => {
    const dir = repo();
    mkdirSync(join(dir, '.claude'));
    writeFileSync(settingsOf(dir), THEIRS);
    await run(dir, 'attach', PLAYBOOK);
    const edited = JSON.parse(readFileSync(settingsOf(dir), 'utf8'));
    edited.outputStyle = 'Explanatory';
    writeFileSync(settingsOf(dir), JSON.stringify(edited));
    const detach = await run(dir, 'detach');
    expect(detach.stdout).toContain('only labpilot’s hooks were taken out');
    const after = JSON.parse(readFileSync(settingsOf(dir), 'utf8'));
    expect(after).toEqual({ ...JSON.parse(THEIRS), outputStyle: 'Explanatory' });
  });

  it('refuses a settings file it cannot read, before any run exists, and a second attach', async () => {
    const dir = repo();
    mkdirSync(join(dir, '.claude'));
    writeFileSync(settingsOf(dir), '{ "hooks": ');
    const bad = await run(dir, 'attach', PLAYBOOK);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/settings\.local\.json: not JSON, so labpilot will not edit it/)]);
    expect(existsSync(join(dir, '.labpilot', 'runs'))).toBe(false);
    writeFileSync(settingsOf(dir), '{}');
    expect((await run(dir, 'attach', PLAYBOOK)).code).toBe(0);
    const again = await run(dir, 'attach', PLAYBOOK);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('run `labpilot detach` first');
    expect((await run(dir, 'detach')).code).toBe(0);
    expect(readFileSync(settingsOf(dir), 'utf8')).toBe('{}');
  });

  it('answers a hook call it cannot read with one line and exit 1, which blocks nothing in Claude Code', async () => {
    const dir = repo();
    await run(dir, 'attach', PLAYBOOK);
    const id = JSON.parse(readFileSync(join(dir, '.labpilot', 'attached.json'), 'utf8')).runId as string;
    const hook = spawnSync(process.execPath, [BIN, 'hook', 'Stop', '--run', id], { cwd: dir, input: '{"hook_event_name":"Stop"' });
    expect(hook.status).toBe(1);
    expect(hook.stderr.toString().trim().split('\n')).toEqual([expect.stringMatching(/^labpilot: stdin: hook input is not JSON/)]);
    const wrong = spawnSync(process.execPath, [BIN, 'hook', 'Stop', '--run', id], { cwd: dir, input: JSON.stringify({ session_id: 's', hook_event_name: 'SessionStart' }) });
    expect(wrong.stderr.toString()).toContain('hook input is for SessionStart, but this hook is Stop');
    expect(wrong.stdout.toString()).toBe('');
  });
});
