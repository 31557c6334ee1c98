import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { labpilot, tempDir } from '../helpers/cli.js';
import { generateLog, lastStated, pythonWithRich } from '../helpers/libero-logs.js';

/**
 * `labpilot parse` on evaluation logs as OpenVLA-OFT's LIBERO evaluation prints them, each made
 * by the real mechanism with tqdm's redraws interleaved: the RSD playbook's figures must equal
 * the log's own final lines. The held-out forms were not looked at while the normalisation was
 * written; they are checked the same way.
 */
interface Signal {
  name: string;
  value: number | null;
  from: string;
  second?: Array<{ gate: string; passed: boolean; name: string; value: number | null }>;
}

interface Parsed {
  metrics: Record<string, number>;
  triggers: Array<{ remediation: string; line: string }>;
  gates: Array<{ check: string; kind: string; passed: boolean; detail: string; signals?: Signal[] }>;
  remediation: { id: string; action: string; text: string } | null;
}

const dir = tempDir('labpilot-parse-');
let python = '';
beforeAll(() => {
  python = pythonWithRich();
});

async function parse(log: string, ...args: string[]): Promise<Parsed> {
  const r = await labpilot(['parse', 'playbooks/rsd-phase3.yaml', log, '--json', ...args]).done;
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Parsed;
}

function finals(raw: string) {
  return { episodes: lastStated(raw, 'Total episodes'), successes: lastStated(raw, 'Total successes'), success_rate: lastStated(raw, 'Overall success rate') };
}

function checkForm(form: string, bars: boolean) {
  it(`${form}: episodes, successes and success_rate equal the log's final lines`, async () => {
    const log = join(dir, `${form}.log`);
    const raw = generateLog(python, form, log, ['--tasks', '3', '--trials', '5', '--seed', '11']);
    if (bars) expect(raw).toMatch(/\r[^\n]*it\/s\]/);
    const want = finals(raw);
    expect(want.episodes).toBe(15);
    const got = await parse(log, '--step', 'full', '--exit-code', '0');
    expect({ episodes: got.metrics.episodes, successes: got.metrics.successes, success_rate: got.metrics.success_rate }).toEqual(want);
    expect(got.metrics.task_rates).toBe(3);
    expect(got.metrics.episode_errors).toBe((raw.match(/Episode error: /g) ?? []).length);
    expect(got.gates.find((g) => g.check === 'exit code is 0')?.passed).toBe(true);
  });
}

describe('labpilot parse --json: each gate with its two signals', () => {
  it('a cross-check names both figures and where each came from; a figure a gate reads lists the cross-checks covering it', async () => {
    const log = join(dir, 'signals.log');
    generateLog(python, 'console', log, ['--tasks', '3', '--trials', '5', '--seed', '11']);
    const got = await parse(log, '--step', 'full', '--exit-code', '0');
    const cross = got.gates.find((g) => g.check === 'episodes agree with per-episode lines')!;
    expect(cross).toMatchObject({ kind: 'agree', passed: true });
    expect(cross.signals).toEqual([
      { name: 'episodes', value: 15, from: 'the printed total (Total episodes)' },
      { name: 'episode_lines', value: 15, from: "the loop's per-episode Success lines" },
    ]);
    const ran = got.gates.find((g) => g.check === 'every episode ran')!;
    const episodes = ran.signals!.find((x) => x.name === 'episodes')!;
    expect(episodes.second!.map((x) => x.gate)).toEqual(['episodes agree with per-episode lines', "episodes agree with the environment's records"]);
    // This log has no harness records (OpenVLA-OFT's own loop prints none): that cross-check fails, naming it.
    expect(episodes.second![1]).toMatchObject({ name: 'episode_records', passed: false });
  });
});

describe('labpilot parse on the forms the playbook reads', () => {
  checkForm('console', true);
  checkForm('bare', true);
  checkForm('logfile', false);
  checkForm('rich', true);
  checkForm('rich-default', true);

  it('a stage stopped early still has its figures: the last running totals', async () => {
    const log = join(dir, 'stopped.log');
    const raw = generateLog(python, 'console', log, ['--tasks', '3', '--trials', '4', '--stop-after', '6']);
    expect(raw).not.toMatch(/Total episodes/);
    const got = await parse(log, '--step', 'full');
    expect(got.metrics.episodes).toBe(6);
    expect(got.metrics.successes).toBe(lastStated(raw, '# successes'));
    expect(got.metrics.success_rate).toBe(lastStated(raw, 'Current total success rate'));
    expect(got.metrics.rate_so_far).toBeCloseTo(lastStated(raw, '# successes')! / 6, 10);
  });
});

describe('labpilot parse on held-out forms', () => {
  checkForm('dash', true);
  checkForm('basic', true);
  checkForm('rich-color', true);
});

describe("labpilot parse on Modal's failures", () => {
  it("quotes a FunctionTimeoutError that Modal's console wrapped whole, with its timeout", async () => {
    const log = join(dir, 'timeout.log');
    const raw = generateLog(python, 'modal-timeout', log, ['--stop-after', '3']);
    expect(raw).toMatch(/input \nin-/);
    const got = await parse(log, '--step', 'full', '--exit-code', '1');
    const line = "modal.exception.FunctionTimeoutError: Task's current input in-01JQ3XW5ZK8T2M4N6P7R9S0V1A hit its timeout of 2700s";
    expect(got.triggers).toContainEqual({ remediation: 'modal-timeout', line });
    expect(got.remediation?.id).toBe('modal-timeout');
    expect(got.remediation?.text).toContain(`    ${line}\n`);
    expect(got.remediation?.text).toContain('Its timeout was 2700 s.');
  });

  it('remediates a failed image build, quoting the wrapped verdict whole and the build step above it', async () => {
    const log = join(dir, 'image.log');
    generateLog(python, 'modal-image', log);
    const got = await parse(log, '--step', 'smoke', '--exit-code', '1');
    expect(got.remediation).toMatchObject({ id: 'modal-image-build', action: 'prompt' });
    expect(got.remediation!.text).toContain('Image build for im-F8sZmqJb2vLKwD8QpDkzMr failed. See build logs for more details.\n');
    expect(got.remediation!.text).toContain('No matching distribution found for libero-tools==9.9');
    expect(got.gates.find((g) => g.check === 'exit code is 0')).toMatchObject({ passed: false });
  });
});

describe('labpilot parse on a timed-out image build', () => {
  it('chooses the build-timeout fix, quoting the wrapped line whole', async () => {
    const log = join(dir, 'image-timeout.log');
    const raw = generateLog(python, 'modal-image-timeout', log);
    expect(raw).toMatch(/with a \nlarger `timeout`/);
    const got = await parse(log, '--step', 'smoke', '--exit-code', '1');
    expect(got.remediation?.id).toBe('modal-image-build-timeout');
    expect(got.remediation?.text).toContain('    Image build for im-F8sZmqJb2vLKwD8QpDkzMr timed out. Please try again with a larger `timeout` parameter.\n');
  });
});

describe('labpilot parse with variables', () => {
  it('judges the gates with --var values, as a run given them would', async () => {
    const log = join(dir, 'vars.log');
    generateLog(python, 'console', log, ['--tasks', '2', '--trials', '3']);
    const low = await parse(log, '--step', 'full', '--var', 'min_success=0.01');
    expect(low.gates.find((g) => g.check === 'success rate at least 0.01')).toMatchObject({ passed: true });
    const high = await parse(log, '--step', 'full', '--var', 'min_success=1.01');
    expect(high.gates.find((g) => g.check === 'success rate at least 1.01')).toMatchObject({ passed: false });
  });
});

describe('labpilot parse on bad input', () => {
  it.each([
    [['playbooks/rsd-phase3.yaml', '/no/such.log'], /cannot read \/no\/such\.log: ENOENT/],
    [['playbooks/rsd-phase3.yaml', 'package.json', '--step', 'setup'], /--step setup: not a run step of rsd-phase3/],
    [['playbooks/rsd-phase3.yaml', 'package.json', '--exit-code', 'one'], /--exit-code one: not an integer/],
    [['package.json', 'package.json'], /package\.json/],
  ])('%j: one line, exit 2', async (args, why) => {
    const r = await labpilot(['parse', ...args]).done;
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(why);
  });
});
