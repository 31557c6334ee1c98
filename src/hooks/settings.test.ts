import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installHooks, removeHooks, SETTINGS_FILE } from './settings.js';
import { HOOK_EVENTS } from './protocol.js';

const project = () => mkdtempSync(join(tmpdir(), 'labpilot-settings-'));
const command = (event: string) => `labpilot hook ${event} --run r1`;

describe('labpilot’s hooks in .claude/settings.local.json', () => {
  it('adds one hook per event after the person’s own, with a tool matcher only where Claude Code takes one', () => {
    const dir = project();
    mkdirSync(join(dir, '.claude'));
    writeFileSync(join(dir, SETTINGS_FILE), JSON.stringify({ hooks: { Stop: [{ hooks: [{ type: 'command', command: 'mine' }] }] }, env: { A: '1' } }));
    const { kept } = installHooks(dir, command);
    expect(kept).toEqual(['env', 'Stop hook x1']);
    const s = JSON.parse(readFileSync(join(dir, SETTINGS_FILE), 'utf8'));
    expect(s.env).toEqual({ A: '1' });
    expect(s.hooks.Stop.map((e: { hooks: Array<{ command: string }> }) => e.hooks[0]!.command)).toEqual(['mine', 'labpilot hook Stop --run r1']);
    for (const event of HOOK_EVENTS) {
      const ours = s.hooks[event].at(-1);
      expect(ours.matcher).toBe(event.startsWith('PostToolUse') ? '*' : undefined);
      expect(ours.hooks).toEqual([{ type: 'command', command: command(event), timeout: 600 }]);
    }
  });

  it('puts back the exact bytes, whatever the formatting, or removes what it created', () => {
    const dir = project();
    mkdirSync(join(dir, '.claude'));
    const theirs = '{\r\n  "model":"opus" ,\r\n  "hooks": {}\r\n}';
    writeFileSync(join(dir, SETTINGS_FILE), theirs);
    expect(removeHooks(installHooks(dir, command).installed)).toBe('restored');
    expect(readFileSync(join(dir, SETTINGS_FILE), 'utf8')).toBe(theirs);

    const fresh = project();
    expect(removeHooks(installHooks(fresh, command).installed)).toBe('removed');
    expect(existsSync(join(fresh, '.claude'))).toBe(false);
  });

  it('keeps a folder it did not create, and a file the person deleted stays deleted', () => {
    const dir = project();
    mkdirSync(join(dir, '.claude'));
    writeFileSync(join(dir, '.claude', 'settings.json'), '{}');
    expect(removeHooks(installHooks(dir, command).installed)).toBe('removed');
    expect(readFileSync(join(dir, '.claude', 'settings.json'), 'utf8')).toBe('{}');
    const { installed } = installHooks(dir, command);
    rmSync(join(dir, SETTINGS_FILE));
    expect(removeHooks(installed)).toBe('gone');
    expect(existsSync(join(dir, SETTINGS_FILE))).toBe(false);
  });

  it('refuses a file that is not a JSON object, or hooks that are not lists, saying where', () => {
    for (const [text, why] of [
      ['[1]', 'not a JSON object'],
      ['{"hooks": []}', '`hooks` is not an object'],
      ['{"hooks": {"Stop": {}}}', 'hooks.Stop is not a list'],
    ]) {
      const dir = project();
      mkdirSync(join(dir, '.claude'));
      writeFileSync(join(dir, SETTINGS_FILE), text!);
      expect(() => installHooks(dir, command)).toThrow(`${join(dir, SETTINGS_FILE)}: ${why}`);
      expect(readFileSync(join(dir, SETTINGS_FILE), 'utf8')).toBe(text);
    }
  });
});
