import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { labpilot, ofType, parseEvents, ROOT } from '../helpers/cli.js';

/**
 * Other agents' transcripts imported into labpilot's events by `labpilot replay <file>`, through
 * the real binary: the format is detected (or forced), malformed and truncated records are
 * skipped and counted by default and stop the import, located, with --strict.
 */
const FIX = join(ROOT, 'tests', 'fixtures', 'transcripts');
const fixture = (name: string) => join(FIX, name);

async function imported(name: string, ...args: string[]) {
  const r = await labpilot(['replay', fixture(name), '--json', ...args]).done;
  return { ...r, events: r.code === 0 ? parseEvents(r.stdout) : [] };
}

const SMOKE = 'modal run RVQExperiment/phase3/modal_phase3_libero_eval.py --task-suite libero_spatial --num-trials 1 --no-use-speculative-decoding';

describe('labpilot replay <transcript>: import', () => {
  it('reads a Claude Code session: prompts, text, tool calls with their results, thinking, side chain and summary', async () => {
    const { code, stderr, events } = await imported('claude-code-rsd-session.jsonl');
    expect(code).toBe(0);
    expect(stderr).toMatch(/as claude-code: 39 records, \d+ events; tokens \d+ in, \d+ out, \d+ cache read, \d+ cache write, \$\d+\.\d{4} \(lenient: 0 malformed or truncated line\(s\) skipped; --strict stops at the first, located\)/);
    const prompts = ofType(events, 'prompt_sent').map((e) => e.text);
    expect(prompts).toHaveLength(7);
    expect(prompts[2]).toMatch(/^Good\. Run the smoke test now/);
    // The subagent's task prompt is not the person's.
    expect(prompts.some((p) => p.startsWith('Print the keys of the draft checkpoint'))).toBe(false);
    const bash = ofType(events, 'tool_call').filter((e) => e.name === 'bash');
    expect(bash[0]!.input).toMatchObject({ command: SMOKE, tool: 'Bash' });
    const oom = ofType(events, 'tool_result').find((e) => e.callId === bash[0]!.callId)!;
    expect(oom.isError).toBe(true);
    expect(oom.output).toContain('torch.OutOfMemoryError: CUDA out of memory');
    const notices = ofType(events, 'notice').map((e) => e.message);
    expect(notices).toContain('summary of earlier history: RSD Phase 3: evaluation script and LIBERO stages');
    expect(notices).toContain('agent thinking: I should read both files before touching the script.');
    expect(notices).toContain('subagent prompt: Print the keys of the draft checkpoint');
    // Two lines of one API message carry the same usage; it is counted once.
    expect(ofType(events, 'agent_turn_ended')[0]).toMatchObject({ turn: 1, promptId: 'u1', usage: { inputTokens: 4, outputTokens: 180 } });
    expect(ofType(events, 'agent_turn_ended').map((e) => e.filesChanged)).toEqual([false, true, false, true, true, true, false]);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
  });

  it('marks the side chain in the plain output and notes a rewound prompt', async () => {
    const plain = await labpilot(['replay', fixture('claude-code-rsd-session.jsonl')]).done;
    expect(plain.stdout).toMatch(/^ {2}\[subagent of toolu_01Ab0005\] {2}tool bash \{"command":"python -c/m);
    // The same in --json: the side chain's events name the call that started it.
    const json = await labpilot(['replay', fixture('claude-code-rsd-session.jsonl'), '--json']).done;
    const side = json.stdout.split('\n').filter((l) => l.includes('"sidechain"')).map((l) => JSON.parse(l) as { type: string; sidechain: boolean; parentCallId?: string });
    expect(side.length).toBeGreaterThan(0);
    expect(side.find((e) => e.type === 'tool_call')).toMatchObject({ sidechain: true, parentCallId: 'toolu_01Ab0005' });
    expect(plain.stdout).toMatch(/^person: Load the main model in 4-bit/m);
    const { events } = await imported('claude-code-rewind.jsonl');
    expect(ofType(events, 'notice').map((e) => e.message)).toEqual([
      'the conversation goes on from an earlier message (00000101-7c1d-4e0f-9a2b-3d4e5f600101): a rewound or edited prompt',
    ]);
  });

  it('reads a Codex rollout: shell calls as bash commands, their exit codes, patches and token counts', async () => {
    const { code, stderr, events } = await imported('codex-rollout.jsonl');
    expect(code).toBe(0);
    expect(stderr).toMatch(/as codex: 22 records/);
    expect(ofType(events, 'prompt_sent').map((e) => e.text)).toEqual([`Run the smoke test: ${SMOKE}`, 'Load the main model in 4-bit with BitsAndBytesConfig, then rerun the smoke test.']);
    const calls = ofType(events, 'tool_call');
    expect(calls.map((c) => [c.name, c.input.command ?? null])).toEqual([
      ['bash', SMOKE],
      ['apply_patch', null],
      ['bash', SMOKE],
    ]);
    expect(ofType(events, 'tool_result').map((r) => r.isError)).toEqual([true, false, false]);
    const turns = ofType(events, 'agent_turn_ended');
    expect(turns[0]).toMatchObject({ usage: { inputTokens: 18234 - 15872, cacheReadTokens: 15872, outputTokens: 412 } });
    expect(turns[1]).toMatchObject({ stopReason: 'aborted', filesChanged: true });
  });

  it('reads chat messages as one JSON document, Anthropic and OpenAI alike', async () => {
    const a = await imported('anthropic-messages.json');
    expect(a.stderr).toMatch(/as anthropic: 7 records/);
    expect(ofType(a.events, 'tool_result')[0]).toMatchObject({ callId: 'toolu_01Sm', isError: true });
    const o = await imported('openai-messages.json');
    expect(o.stderr).toMatch(/as openai: 6 records/);
    expect(ofType(o.events, 'tool_call')[0]).toMatchObject({ callId: 'call_9s', name: 'bash', input: { command: SMOKE } });
    expect(ofType(o.events, 'tool_result')[0]!.output).toContain('Unexpected key(s) in state_dict');
  });

  it.each([
    ['claude-code-broken.jsonl', 'claude-code', ['7:106: not JSON: Unterminated string', '8:1: message.content:', '15:381: truncated: the file ends inside this record']],
    ['codex-broken.jsonl', 'codex', ['8:1: arguments: not JSON', '9:73: not JSON', '15:61: truncated: the file ends inside this record']],
    ['anthropic-broken.json', 'anthropic', ["50:46: not JSON: Expected ',' or '}' after property value", '76:5: truncated: the file ends inside a record']],
    ['openai-messages.jsonl', 'openai', ['4:50: not JSON', '7:26: truncated: the file ends inside this record']],
  ])('%s: lenient by default, skipping each bad record with its location; --strict stops at the first', async (name, format, problems) => {
    const lenient = await labpilot(['replay', fixture(name)]).done;
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toContain(`as ${format}:`);
    expect(lenient.stderr).toContain(`(lenient: ${problems.length} malformed or truncated line(s) skipped; --strict stops at the first, located)`);
    for (const p of problems) expect(lenient.stderr).toContain(`skipped ${fixture(name)}:${p}`);

    const strict = await labpilot(['replay', fixture(name), '--strict']).done;
    expect(strict.code).toBe(2);
    expect(strict.stderr.startsWith(`labpilot: ${fixture(name)}:${problems[0]}`)).toBe(true);
    expect(strict.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--format forces a reader: a Claude Code session read as Codex fails at its first line', async () => {
    const r = await labpilot(['replay', fixture('claude-code-rsd-session.jsonl'), '--format', 'codex', '--strict']).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`labpilot: ${fixture('claude-code-rsd-session.jsonl')}:1:1: type: 'summary' is not a Codex rollout record\n`);
    const bad = await labpilot(['replay', fixture('codex-rollout.jsonl'), '--format', 'yaml']).done;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("labpilot: unknown --format 'yaml' (one of: labpilot, claude-code, codex, anthropic, openai)\n");
  });
});
