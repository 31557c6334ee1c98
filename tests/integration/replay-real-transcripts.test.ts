import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labpilot, ofType, parseEvents, ROOT, tempDir } from '../helpers/cli.js';
import { claudeCostState, claudeOwnTokens, codexOwnTokens, fixture, type Tokens } from '../helpers/transcript-accounting.js';

/**
 * Today's transcripts through `labpilot replay <file>`, the real binary: the tokens it imports
 * equal the transcript's own accounting, the person's prompts are what the person typed, and an
 * import that yields nothing fails with one line, exit 2.
 */
const PLAYBOOK = join(ROOT, 'playbooks', 'rsd-phase3.yaml');

/** The totals `replay` says on stderr. */
function saidTokens(stderr: string): Tokens & { costUsd: number } {
  const m = /; tokens (\d+) in, (\d+) out, (\d+) cache read, (\d+) cache write, \$(\d+\.\d+) /.exec(stderr);
  expect(m, stderr).not.toBeNull();
  const [input, output, cacheRead, cacheWrite, costUsd] = m!.slice(1).map(Number) as [number, number, number, number, number];
  return { input, output, cacheRead, cacheWrite, costUsd };
}

const write = (name: string, content: string) => {
  const path = join(tempDir('labpilot-real-'), name);
  writeFileSync(path, content);
  return path;
};

describe('labpilot replay <transcript>: tokens as the transcript counts them', () => {
  it.each([
    ['Claude Code 1.x', 'claude-code-1x-session.jsonl', () => claudeOwnTokens(fixture('claude-code-1x-session.jsonl'))],
    ['Claude Code 2.x', 'claude-code-2x-session.jsonl', () => claudeCostState(fixture('claude-code-2x-session.jsonl'))],
    ['Codex, old', 'codex-rollout-old.jsonl', () => codexOwnTokens(fixture('codex-rollout-old.jsonl'))],
    ['Codex, new', 'codex-rollout-new.jsonl', () => codexOwnTokens(fixture('codex-rollout-new.jsonl'))],
  ])('%s', async (_, name, own) => {
    const r = await labpilot(['replay', fixture(name)]).done;
    expect(r.code, r.stderr).toBe(0);
    const said = saidTokens(r.stderr);
    const expected = own();
    expect({ input: said.input, output: said.output, cacheRead: said.cacheRead, cacheWrite: said.cacheWrite }).toEqual({
      input: expected.input,
      output: expected.output,
      cacheRead: expected.cacheRead,
      cacheWrite: expected.cacheWrite,
    });
    if ('costUsd' in expected) expect(Math.abs(said.costUsd - (expected.costUsd as number))).toBeLessThan(0.0001 + 0.01 * (expected.costUsd as number));
  });
});

describe('labpilot replay <transcript>: the person’s prompts', () => {
  it('takes what the person typed, not the IDE’s blocks, and gives a session opened by a slash command its turn', async () => {
    const r = await labpilot(['replay', fixture('claude-code-2x-session.jsonl'), '--json']).done;
    const events = parseEvents(r.stdout);
    expect(ofType(events, 'prompt_sent').map((e) => e.text)).toEqual(['/smoke on libero_spatial', 'Yes, load it in 4-bit.', 'Rerun the smoke stage, please.']);
    expect(ofType(events, 'agent_turn_ended').map((e) => e.turn)).toEqual([1, 2, 3]);
  });

  it('coverage takes the task prompt sent with IDE context as the step prompt, exactly as without it', async () => {
    const plain = fixture('claude-code-rsd-session.jsonl');
    const lines = readFileSync(plain, 'utf8').split('\n');
    const first = lines.findIndex((l) => l.includes('"type":"user"'));
    const rec = JSON.parse(lines[first]!) as { message: { content: unknown } };
    rec.message.content = [
      { type: 'text', text: '<ide_opened_file>The user opened the file /home/ana/rsd-experiment/RVQExperiment/phase3/modal_phase3_libero_eval.py in the IDE. This may or may not be related to the current task.</ide_opened_file>' },
      { type: 'text', text: '<ide_selection>The user selected the lines 12 to 14 from /home/ana/rsd-experiment/RVQExperiment/phase3/modal_phase3_libero_eval.py:\n# TODO: Task 1\n\nThis may or may not be related to the current task.</ide_selection>' },
      { type: 'text', text: rec.message.content as string },
    ];
    lines[first] = JSON.stringify(rec);
    const withIde = write('ide.jsonl', lines.join('\n'));
    const summary = async (file: string) => {
      const out = (await labpilot(['replay', file, '--playbook', PLAYBOOK, '--json']).done).stdout.trim().split('\n');
      return JSON.parse(out.at(-1)!) as { summary: { stepPrompts: number; missed: unknown[] } };
    };
    const [a, b] = await Promise.all([summary(plain), summary(withIde)]);
    expect(b).toEqual(a);
    expect(b.summary.stepPrompts).toBe(3);
  });
});

describe('labpilot replay <transcript>: an import that yields nothing fails', () => {
  const codex = fixture('codex-rollout-new.jsonl');

  it.each([
    ['a Codex rollout read as Claude Code', [codex, '--format', 'claude-code'], /^labpilot: nothing imported from .*codex-rollout-new\.jsonl as claude-code: its records are not claude-code's \(37 of another kind, the first of type 'session_meta'\); is it another tool's transcript\?/],
    ['a Claude Code session read as Codex', [fixture('claude-code-2x-session.jsonl'), '--format', 'codex'], /^labpilot: nothing imported from .* as codex: no prompt, reply or tool call in it; \d+ record\(s\) skipped .*type: 'queue-operation' is not a Codex rollout record\)$/],
    ['garbage', [write('garbage.jsonl', 'GARBAGE \u0000\u0001\nnot json either\n')], /^labpilot: cannot tell the format of .*garbage\.jsonl \(use --format/],
    ['garbage read as Codex', [write('garbage.jsonl', 'GARBAGE\n{"half":\n'), '--format', 'codex'], /^labpilot: nothing imported from .* as codex: no prompt, reply or tool call in it; 2 record\(s\) skipped .*not JSON/],
    ['an empty file', [write('empty.jsonl', '')], /^labpilot: .*empty\.jsonl is empty: nothing to import$/],
    ['an empty file with its format given', [write('empty.jsonl', ''), '--format', 'claude-code'], /^labpilot: nothing imported from .* as claude-code: it holds no records$/],
  ])('%s: one line, exit 2, and --check does not pass', async (_, args, line) => {
    for (const extra of [[], ['--playbook', PLAYBOOK, '--check']]) {
      const r = await labpilot(['replay', ...(args as string[]), ...extra]).done;
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(line as RegExp);
    }
  });

  it('detection reads past a first line over 256 KiB', async () => {
    const rollout = readFileSync(codex, 'utf8').split('\n');
    const meta = JSON.parse(rollout[0]!) as { payload: { base_instructions: { text: string } } };
    meta.payload.base_instructions.text = 'You are Codex. '.repeat(30_000);
    const big = write('rollout-big.jsonl', [JSON.stringify(meta), ...rollout.slice(1)].join('\n'));
    const r = await labpilot(['replay', big]).done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/as codex: 37 records/);
    expect(saidTokens(r.stderr).output).toBe(codexOwnTokens(codex).output);
  });
});
