import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gitRepoFrom, ROOT, tempDir } from '../../tests/helpers/cli.js';
import { editableParts } from './editable.js';
import { evaluateTree } from './evaluated-tree.js';

const SCRIPT = 'RVQExperiment/phase3/modal_phase3_libero_eval.py';
const editable = editableParts({
  regions: [{ path: SCRIPT, begin: '^\\s*# ==== TASK \\d+ BEGIN ====\\s*$', end: '^\\s*# ==== TASK \\d+ END ====\\s*$' }],
  files: ['RVQExperiment/phase3/eval_helpers.py'],
  outputs: ['RVQExperiment/phase3/results/**'],
});

function sample() {
  const dir = gitRepoFrom(join(ROOT, 'templates', 'sample-experiment'));
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
  const tree = () => evaluateTree({ workspace: dir, pristine: head, editable });
  const edit = (path: string, fn: (t: string) => string) => writeFileSync(join(dir, path), fn(readFileSync(join(dir, path), 'utf8')));
  return { dir, head, tree, edit };
}

const TASK4 = '    # See AGENT_INSTRUCTIONS.md, Task 4.\n    pass\n';

describe('the evaluated tree', () => {
  it('is the pristine tree when nothing changed, with the same hash every time', async () => {
    const s = sample();
    const a = await s.tree();
    expect(a.refused).toEqual([]);
    expect(a.strays).toEqual([]);
    expect(a.changed).toEqual([]);
    expect((await s.tree()).hash).toBe(a.hash);
  });

  it('takes changes inside a task region and to editable files, and hashes what it took', async () => {
    const s = sample();
    const before = await s.tree();
    s.edit(SCRIPT, (t) => t.replace(TASK4, '    return [(0, 0)] * task_suite.n_tasks\n'));
    writeFileSync(join(s.dir, 'RVQExperiment/phase3/eval_helpers.py'), 'def helper():\n    return 1\n');
    const after = await s.tree();
    expect(after.refused).toEqual([]);
    expect(after.changed).toEqual(['RVQExperiment/phase3/eval_helpers.py', SCRIPT]);
    expect(after.hash).not.toBe(before.hash);
    expect(after.diff).toContain('+    return [(0, 0)] * task_suite.n_tasks');
    expect(after.diff).toContain('+def helper():');
  });

  it('refuses a harness line changed outside the regions, quoting the diff', async () => {
    const s = sample();
    s.edit(SCRIPT, (t) => t.replace('    per_task = check_per_task(per_task, task_suite.n_tasks)\n', ''));
    const t = await s.tree();
    expect(t.refused).toEqual([`${SCRIPT}: changed outside its editable regions`]);
    expect(t.refusedDiff).toContain('-    per_task = check_per_task(per_task, task_suite.n_tasks)');
  });

  it('refuses a moved marker, an edited helper package, a deleted file', async () => {
    const s = sample();
    s.edit(SCRIPT, (t) => t.replace('    # ==== TASK 4 END ====\n', ''));
    s.edit('RVQExperiment/phase3/rsd/stats.py', (t) => `${t}\n# faster\n`);
    rmSync(join(s.dir, 'RVQExperiment/phase3/AGENT_INSTRUCTIONS.md'));
    const t = await s.tree();
    expect(t.refused).toEqual(
      expect.arrayContaining([
        `${SCRIPT}: changed outside its editable regions (a region is not closed)`,
        'RVQExperiment/phase3/rsd/stats.py: changed, and it is not editable',
        'RVQExperiment/phase3/AGENT_INSTRUCTIONS.md: deleted',
      ]),
    );
    expect(t.refused).toHaveLength(3);
  });

  it('lists new files and links a stage could load as strays, and never follows a link', async () => {
    const s = sample();
    writeFileSync(join(s.dir, 'RVQExperiment/phase3/sitecustomize.py'), 'import builtins\n');
    symlinkSync('/etc/passwd', join(s.dir, 'RVQExperiment/phase3/passwd'));
    execFileSync('mkfifo', [join(s.dir, 'RVQExperiment/phase3/fifo')]);
    const t = await s.tree();
    expect(t.strays).toEqual(
      expect.arrayContaining([
        'RVQExperiment/phase3/sitecustomize.py: a new file outside the editable parts',
        'RVQExperiment/phase3/passwd: a new link (to /etc/passwd), outside the editable parts',
        'RVQExperiment/phase3/fifo: not a regular file (a FIFO, socket or device), outside the editable parts',
      ]),
    );
    expect(t.diff).not.toContain('root:');
  });

  it('skips bytecode caches (stages run with a pycache prefix of their own) and a nested .git is a stray', async () => {
    const s = sample();
    mkdirSync(join(s.dir, 'RVQExperiment/phase3/rsd/__pycache__'));
    writeFileSync(join(s.dir, 'RVQExperiment/phase3/rsd/__pycache__/stats.cpython-310.pyc'), 'x');
    mkdirSync(join(s.dir, 'nested/.git'), { recursive: true });
    writeFileSync(join(s.dir, 'nested/.git/config'), '[filter "x"]\n');
    const t = await s.tree();
    expect(t.strays).toEqual(['nested/.git/config: a new file outside the editable parts']);
  });

  it('leaves outputs out of the tree: a summary written after the stages does not change the hash', async () => {
    const s = sample();
    const before = await s.tree();
    writeFileSync(join(s.dir, 'RVQExperiment/phase3/results/SUMMARY.md'), '# results\n');
    appendFileSync(join(s.dir, 'RVQExperiment/phase3/results/README.md'), 'more\n');
    const after = await s.tree();
    expect(after).toMatchObject({ hash: before.hash, refused: [], strays: [] });
  });

  it('sees a pristine file grown by a single byte', async () => {
    const s = sample();
    appendFileSync(join(s.dir, 'README.md'), ' ');
    expect((await s.tree()).refused).toEqual(['README.md: changed, and it is not editable']);
  });

  it('fails, not hangs, when the pristine commit is unknown', async () => {
    const dir = tempDir();
    await expect(evaluateTree({ workspace: dir, pristine: 'f'.repeat(40), editable })).rejects.toThrow();
  });
});
