import { beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labpilot, ROOT, tempDir } from '../helpers/cli.js';

/**
 * `labpilot replay <run>` on the demo's own run log, through the real binary: the RSD playbook
 * runs again on the recorded agent turns, command logs and decisions, with no model and no GPU.
 * Unchanged, it makes the recorded decisions; changed, the report names where they part.
 */
const PLAYBOOK = join(ROOT, 'playbooks', 'rsd-phase3.yaml');
const KEYS_REGEX = `match: "Error\\\\(s\\\\) in loading state_dict for (\\\\w+)|(Missing|Unexpected) key\\\\(s\\\\) in state_dict|KeyError: '(model_state_dict|rfsq_head|state_dict)'"`;

/** A copy of the RSD playbook in its own folder, with one edit; prompt files still resolve. */
function changedPlaybook(from: string, to: string, extraFiles: Record<string, string> = {}): string {
  const text = readFileSync(PLAYBOOK, 'utf8');
  expect(text).toContain(from);
  const dir = tempDir('labpilot-replay-pb-');
  for (const [rel, body] of Object.entries(extraFiles)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), body);
  }
  const file = join(dir, 'rsd-phase3.yaml');
  writeFileSync(file, text.replace(from, to));
  return file;
}

const digest = (dir: string) =>
  readdirSync(dir)
    .sort()
    .map((f) => `${f}:${createHash('sha256').update(readFileSync(join(dir, f))).digest('hex')}`)
    .join('\n');

describe('labpilot replay of a run log', () => {
  const home = tempDir();
  let runId: string;
  let runDir: string;

  beforeAll(async () => {
    const r = await labpilot(['--home', home, 'demo'], { ANTHROPIC_API_KEY: '' }).done;
    if (r.code !== 0) console.error(r.stdout.slice(-3000), r.stderr);
    expect(r.code).toBe(0);
    [runId] = readdirSync(join(home, 'runs')) as [string];
    runDir = join(home, 'runs', runId);
  }, 180_000);

  it('finds no difference when the unchanged playbook replays the run, and --check exits 0', async () => {
    const before = digest(join(runDir, 'commands'));
    const r = await labpilot(['--home', home, 'replay', runId, '--check']).done;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^replay of run \S+ with .*rsd-phase3\.yaml \(as recorded\)$/m);
    const [, recorded, replayed] = /(\d+) recorded decisions, (\d+) replayed/.exec(r.stdout)!;
    expect(Number(recorded)).toBeGreaterThan(50);
    expect(replayed).toBe(recorded);
    expect(r.stdout).toContain('no differences: the playbook makes the recorded decisions');
    // The replay wrote nothing into the recorded run.
    expect(digest(join(runDir, 'commands'))).toBe(before);
  });

  it('takes the run folder or its events.jsonl as well as the run id', async () => {
    for (const target of [runDir, join(runDir, 'events.jsonl')]) {
      const r = await labpilot(['replay', target, '--check']).done;
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('no differences');
    }
  });

  it('reports the lost checkpoint-keys trigger, and --check fails, when that rule no longer matches', async () => {
    const playbook = changedPlaybook(KEYS_REGEX, 'match: "Error loading the checkpoint: (\\\\w+)"');
    const r = await labpilot(['--home', home, 'replay', runId, '--playbook', playbook, '--check']).done;
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('(changed since the run)');
    expect(r.stdout).toMatch(/^difference 1 in step smoke:\n {2}- recorded: trigger checkpoint-keys \(command output\): .*Error\(s\) in loading state_dict/m);
    expect(r.stdout).toMatch(/- recorded: remediation checkpoint-keys \(prompt, attempt 1\)/);
    // Without its rule the failure is one no rule names: the debugging loop's prompt takes it.
    expect(r.stdout).toMatch(/\+ replayed: remediation fix-this-error \(prompt, attempt 1\)/);
    expect(r.stdout).toMatch(/^\d+ differences?$/m);

    const plain = await labpilot(['--home', home, 'replay', runId, '--playbook', playbook]).done;
    expect(plain.code).toBe(0);

    const json = await labpilot(['--home', home, 'replay', runId, '--playbook', playbook, '--json']).done;
    const report = JSON.parse(json.stdout) as { playbookChanged: boolean; differences: Array<{ step: string; recorded: Array<{ kind: string; label: string }> }> };
    expect(report.playbookChanged).toBe(true);
    expect(report.differences[0]).toMatchObject({ step: 'smoke', recorded: [{ kind: 'trigger' }] });
    expect(report.differences[0]!.recorded[0]!.label).toMatch(/^trigger checkpoint-keys/);
  });

  it('reports a changed remediation prompt as one difference, quoting the line where the texts part', async () => {
    const original = readFileSync(join(ROOT, 'prompts', 'rsd-phase3', 'cuda-oom.md'), 'utf8');
    const edited = original.replace('Load the main model in 4-bit.', 'Load the main model in 8-bit.');
    expect(edited).not.toBe(original);
    // Prompt files resolve against the playbook's folder first: this copy shadows the shipped one.
    const playbook = changedPlaybook('name: rsd-phase3', 'name: rsd-phase3', { 'prompts/rsd-phase3/cuda-oom.md': edited });
    const r = await labpilot(['--home', home, 'replay', runId, '--playbook', playbook, '--check']).done;
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/- recorded: prompt p\d+ \(remediation cuda-oom\)/);
    expect(r.stdout).toMatch(/\+ replayed: prompt p\d+ \(remediation cuda-oom\)/);
    expect(r.stdout).toMatch(/recorded: Load the main model in 4-bit\. Pass a `BitsAndBytesConfig`/);
    expect(r.stdout).toMatch(/replayed: Load the main model in 8-bit\. Pass a `BitsAndBytesConfig`/);
    // The recorded agent answered the edited prompt as before: the rest of the run is the same.
    expect(r.stdout).toMatch(/^1 difference$/m);
  });

  it('names an unknown run in one line and exits 2', async () => {
    const r = await labpilot(['--home', home, 'replay', 'no-such-run']).done;
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^labpilot: no run 'no-such-run'/);
  });
});
