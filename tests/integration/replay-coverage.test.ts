import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { labpilot, ROOT, tempDir, type CliResult } from '../helpers/cli.js';
import { Remediation } from '../../src/playbook/schema.js';

/**
 * A Claude Code session of a person guiding an agent through the RSD smoke stage (a CUDA OOM,
 * then a draft checkpoint whose keys carry `module.`), measured against rsd-phase3 by
 * `labpilot replay <session> --playbook`: where the playbook would have said what the person
 * said, where it would have stayed silent, and where it would have spoken unasked.
 */
const SESSION = join(ROOT, 'tests', 'fixtures', 'transcripts', 'claude-code-rsd-session.jsonl');
const PLAYBOOK = join(ROOT, 'playbooks', 'rsd-phase3.yaml');

describe('labpilot replay <transcript> --playbook: coverage', () => {
  let r: CliResult;

  beforeAll(async () => {
    r = await labpilot(['replay', SESSION, '--playbook', PLAYBOOK]).done;
  });

  it('names the OOM and the checkpoint key error as covered by cuda-oom and checkpoint-keys', () => {
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^point 3 \(line 14, step smoke\): covered by cuda-oom\n {2}trigger cuda-oom \(command output\): torch\.OutOfMemoryError: CUDA out of memory/m);
    expect(r.stdout).toMatch(/^point 4 \(line 26, step smoke\): covered by checkpoint-keys\n {2}trigger checkpoint-keys \(command output\): RuntimeError: Error\(s\) in loading state_dict for DraftModel:/m);
    expect(r.stdout).toMatch(/^ {2}playbook would send: cuda-oom: Fix: cuda-oom — The smoke stage ran out of GPU memory:$/m);
    expect(r.stdout).toMatch(/^ {2}person sent: The draft checkpoint keys carry a module\. prefix from DataParallel\./m);
    expect(r.stdout).toMatch(/^ {2}2 follow-up\(s\) the playbook would have produced: cuda-oom, checkpoint-keys$/m);
  });

  it('follows the steps from what the person asked and the stage commands the agent ran', () => {
    const steps = [...r.stdout.matchAll(/^point \d+ \(line \d+, step (\S+)\): (.*)$/gm)].map((m) => `${m[1]}: ${m[2]}`);
    expect(steps).toEqual([
      'setup: next step',
      'task1: next step',
      'smoke: covered by cuda-oom',
      'smoke: covered by checkpoint-keys',
      'smoke: MISSED by the playbook',
      'smoke: next step',
      'stability: rule fired, the person did nothing',
    ]);
    expect(r.stdout).toMatch(/^ {4}line 39 \(stability\): episode-errors: Episode error: ValueError: could not broadcast/m);
  });

  it('prints the missed follow-up as a remediation that, pasted into the playbook, covers it', async () => {
    const block = /1 follow-up\(s\) it missed \(remediations to paste under remediations:\)\n {4}line 32 \(smoke\): "Print a per-task success table.*"\n((?: {6}.*\n)+)/.exec(r.stdout);
    expect(block).not.toBeNull();
    const snippet = block![1]!.replace(/^ {6}/gm, '');
    const [rule] = parse(snippet) as unknown[];
    const parsed = Remediation.parse(rule);
    expect(parsed).toMatchObject({ when: { in: ['agent_text'] }, then: { prompt: 'Print a per-task success table at the end of the evaluation as well.' }, steps: ['smoke'] });

    const dir = tempDir('labpilot-coverage-');
    const extended = join(dir, 'rsd-phase3.yaml');
    const indented = snippet.replace(/^/gm, '  ').trimEnd();
    writeFileSync(extended, readFileSync(PLAYBOOK, 'utf8').replace(/^remediations:\n/m, `remediations:\n${indented}\n`));
    expect((await labpilot(['lint', extended]).done).code).toBe(0);
    const again = await labpilot(['replay', SESSION, '--playbook', extended, '--check']).done;
    expect(again.stdout).toMatch(new RegExp(`^point 5 \\(line 32, step smoke\\): covered by ${parsed.id}$`, 'm'));
    expect(again.stdout).toMatch(/^ {2}0 follow-up\(s\) it missed$/m);
    expect(again.code).toBe(0);
  });

  it('--check fails while a follow-up of the person is missed; --json gives the points and the summary', async () => {
    expect((await labpilot(['replay', SESSION, '--playbook', PLAYBOOK, '--check']).done).code).toBe(1);
    const json = await labpilot(['replay', SESSION, '--playbook', PLAYBOOK, '--json']).done;
    const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => 'point' in l)).toHaveLength(7);
    expect(lines.at(-1)).toMatchObject({
      summary: {
        covered: [
          { line: 14, step: 'smoke', rule: 'cuda-oom' },
          { line: 26, step: 'smoke', rule: 'checkpoint-keys' },
        ],
        unanswered: [{ line: 39, step: 'stability', rule: 'episode-errors', followUp: null }],
        stepPrompts: 3,
      },
    });
  });
});
