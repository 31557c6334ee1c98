import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlaybook } from '../../src/playbook/load.js';
import { ROOT, tempDir } from '../helpers/cli.js';

/** What the RSD playbook itself commits to, checked against the modal stand-in. */
const SCRIPT = 'RVQExperiment/phase3/modal_phase3_libero_eval.py';

describe('rsd-phase3 playbook', () => {
  it('never passes a value to a bool flag: every stage uses the switch pair Modal accepts', async () => {
    const { playbook } = await loadPlaybook(join(ROOT, 'playbooks', 'rsd-phase3.yaml'));
    const stages = playbook.steps.filter((s) => s.kind === 'run');
    expect(stages.map((s) => s.id)).toEqual(['smoke', 'stability', 'full', 'baseline']);
    for (const s of stages) {
      expect(s.command).not.toMatch(/--[\w-]+[ =](True|False)\b/);
      expect(s.command).toMatch(/ --(no-)?use-speculative-decoding$/);
    }
    expect(stages.find((s) => s.id === 'full')!.command).toMatch(/ --use-speculative-decoding$/);
  });

  it("the guide's `--use-speculative-decoding False` fails in the stand-in with Modal's error and exit 2", () => {
    const repo = tempDir('labpilot-flags-');
    cpSync(join(ROOT, 'templates', 'sample-experiment'), repo, { recursive: true });
    execFileSync('python3', [join(ROOT, 'python', 'tools', 'sample_solution.py'), 'apply', join(repo, SCRIPT)]);
    const modal = (...args: string[]) =>
      spawnSync(join(ROOT, 'python', 'bin', 'modal'), ['run', SCRIPT, '--num-trials', '1', ...args], {
        cwd: repo,
        env: { ...process.env, MODAL_STANDIN_HOME: join(repo, '.modal') },
        encoding: 'utf8',
      });
    const guide = modal('--use-speculative-decoding', 'False');
    expect(guide.status).toBe(2);
    expect(guide.stderr).toContain('Error: Got unexpected extra argument (False)');
    expect(guide.stdout).not.toContain('Starting episode');
    const pair = modal('--no-use-speculative-decoding');
    expect(pair.status).toBe(0);
    expect(pair.stdout).toMatch(/^Overall success rate: 0\.\d+/m);
  });
});
