import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from '../../../tests/helpers/transcript-accounting.js';
import { detectFormat } from './detect.js';
import { InputError } from '../../errors.js';

const file = (content: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'labpilot-detect-')), 't.jsonl');
  writeFileSync(path, content);
  return path;
};

describe('detectFormat', () => {
  it('reads past a first line over 256 KiB: a Codex rollout whose session_meta carries long instructions', () => {
    const rollout = readFileSync(fixture('codex-rollout-new.jsonl'), 'utf8').split('\n');
    const meta = JSON.parse(rollout[0]!) as { payload: { base_instructions: { text: string } } };
    meta.payload.base_instructions.text = 'You are Codex. '.repeat(30_000);
    const line = JSON.stringify(meta);
    expect(line.length).toBeGreaterThan(256 * 1024);
    expect(detectFormat(file([line, ...rollout.slice(1)].join('\n')))).toBe('codex');
  });

  it('reads past a first line it cannot classify: a Claude Code session after a huge pasted image line of another shape', () => {
    const session = readFileSync(fixture('claude-code-1x-session.jsonl'), 'utf8');
    const image = JSON.stringify({ pasted: 'iVBORw0KGgo'.repeat(40_000) });
    expect(detectFormat(file(`${image}\n${session}`))).toBe('claude-code');
  });

  it('says an empty file is empty, and garbage cannot be told', () => {
    expect(() => detectFormat(file(''))).toThrow(InputError);
    expect(() => detectFormat(file('\n\n  \n'))).toThrow(/is empty: nothing to import$/);
    expect(() => detectFormat(file('\u0000\u0001garbage\nmore garbage\n'))).toThrow(/cannot tell the format of .* \(use --format: labpilot, claude-code, codex, anthropic, openai\)$/);
  });
});
