import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseHookInput, type HookEvent } from './protocol.js';

/** What Claude Code 2.1.332 wrote on its hooks' stdin, captured from the binary run headless. */
const FIXTURES = join(import.meta.dirname, '..', '..', 'tests', 'fixtures', 'hooks');
const input = (name: string) => readFileSync(join(FIXTURES, `${name}.json`), 'utf8');

describe('Claude Code’s hook input', () => {
  it.each<[string, HookEvent]>([
    ['session-start', 'SessionStart'],
    ['user-prompt-submit', 'UserPromptSubmit'],
    ['post-tool-use', 'PostToolUse'],
    ['post-tool-use-failure', 'PostToolUseFailure'],
    ['stop', 'Stop'],
    ['stop-active', 'Stop'],
  ])('reads %s as the real binary sends it', (name, event) => {
    const parsed = parseHookInput(event, input(name));
    expect(parsed.hook_event_name).toBe(event);
    expect(parsed.session_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reads the fields labpilot acts on', () => {
    expect(parseHookInput('UserPromptSubmit', input('user-prompt-submit'))).toMatchObject({ prompt: 'Fail it' });
    expect(parseHookInput('PostToolUse', input('post-tool-use'))).toMatchObject({ tool_name: 'Bash', tool_response: { stdout: 'hello', stderr: '' } });
    // A command that exits non-zero comes as a failure: its output is in `error`, after the exit code.
    expect(parseHookInput('PostToolUseFailure', input('post-tool-use-failure'))).toMatchObject({ error: expect.stringMatching(/^Exit code 1\n[\s\S]*ModuleNotFoundError: No module named 'numpyy'$/) });
    expect(parseHookInput('Stop', input('stop'))).toMatchObject({ stop_hook_active: false });
    expect(parseHookInput('Stop', input('stop-active'))).toMatchObject({ stop_hook_active: true });
  });

  it('says what is wrong with input it cannot read, and for which hook', () => {
    expect(() => parseHookInput('Stop', '{')).toThrow(/^stdin: hook input is not JSON/);
    expect(() => parseHookInput('Stop', input('session-start'))).toThrow('stdin: hook input is for SessionStart, but this hook is Stop');
    expect(() => parseHookInput('UserPromptSubmit', '{"session_id":"s","hook_event_name":"UserPromptSubmit"}')).toThrow(/not a Claude Code UserPromptSubmit hook input: prompt: /);
  });
});
