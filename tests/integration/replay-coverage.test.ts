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
    expect(r.stdout).toMatch(/^point 3 \(line 14, step smoke\): covered by cuda-oom \(the playbook's text says \d+% of what the person said\)\n {2}trigger cuda-oom \(command output\): torch\.OutOfMemoryError: CUDA out of memory/m);
    expect(r.stdout).toMatch(/^point 4 \(line 26, step smoke\): covered by checkpoint-keys \(the playbook's text says \d+% of what the person said\)\n {2}trigger checkpoint-keys \(command output\): RuntimeError: Error\(s\) in loading state_dict for DraftModel:/m);
    expect(r.stdout).toMatch(/^ {2}playbook would send: cuda-oom: Fix: cuda-oom — The smoke stage ran out of GPU memory:$/m);
    expect(r.stdout).toMatch(/^ {2}person sent: The draft checkpoint keys carry a module\. prefix from DataParallel\./m);
    expect(r.stdout).toMatch(/^ {2}2 follow-up\(s\) the playbook would have produced: cuda-oom, checkpoint-keys$/m);
  });

  it('follows the steps from what the person asked and the stage commands the agent ran', () => {
    const steps = [...r.stdout.matchAll(/^point \d+ \(line \d+, step (\S+)\): (.*?)(?: \(the playbook's text says \d+% of what the person said\))?$/gm)].map((m) => `${m[1]}: ${m[2]}`);
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
    expect(again.stdout).toMatch(new RegExp(`^point 5 \\(line 32, step smoke\\): covered by ${parsed.id} \\(the playbook's text says 100% of what the person said\\)$`, 'm'));
    expect(again.stdout).toMatch(/^ {2}0 follow-up\(s\) it missed$/m);
    expect(again.code).toBe(0);
  });

  it('gives the overall figure: the share of the person\'s follow-ups the playbook says', () => {
    expect(r.stdout).toMatch(/^coverage: the playbook says what the person said at 2 of 3 follow-up\(s\) of the person \(67%\)$/m);
  });

  it('a rule that fires but would say something else than the person is a miss, with the similarity shown', async () => {
    const dir = tempDir('labpilot-coverage-');
    const other = join(dir, 'session.jsonl');
    const person = 'Load the main model in 4-bit with a BitsAndBytesConfig instead of bf16 and do not call .to(device) on it. Then rerun the smoke test.';
    const text = readFileSync(SESSION, 'utf8');
    expect(text).toContain(person);
    writeFileSync(other, text.replace(person, 'Stop here and write me a haiku about the weather instead.'));
    const x = await labpilot(['replay', other, '--playbook', PLAYBOOK]).done;
    expect(x.stdout).toMatch(/^point 3 \(line 14, step smoke\): MISSED by the playbook \(the playbook's text says \d% of what the person said\)$/m);
    expect(x.stdout).toMatch(/^ {2}playbook would send: cuda-oom: /m);
    expect(x.stdout).toMatch(/^coverage: the playbook says what the person said at 1 of 3 follow-up\(s\) of the person \(33%\)$/m);
  });

  it('--check fails while a follow-up of the person is missed; --json gives the points and the summary', async () => {
    expect((await labpilot(['replay', SESSION, '--playbook', PLAYBOOK, '--check']).done).code).toBe(1);
    const json = await labpilot(['replay', SESSION, '--playbook', PLAYBOOK, '--json']).done;
    const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => 'point' in l)).toHaveLength(7);
    expect(lines.at(-1)).toMatchObject({
      summary: {
        coverage: { covered: 2, followUps: 3 },
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
