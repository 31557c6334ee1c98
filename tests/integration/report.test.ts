import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { type CliResult, labpilot, parseEvents, tempDir } from '../helpers/cli.js';
import { Event, type EventOf } from '../../src/events/schema.js';
import { clopperPearson } from '../../src/report/significance.js';
import { relinked } from '../../src/results/save.js';

/**
 * The report of the demo run, through the real binary: the demo writes it and prints where,
 * `labpilot report <id>` rebuilds the same bytes from the log, its figures are the ones the
 * stage commands printed, and the HTML page renders its charts in a real headless Chromium.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT = join(tmpdir(), 'labpilot-report-demo.png');

describe('labpilot report on the demo run', () => {
  const home = tempDir();
  let demo: CliResult;
  let runId: string;
  let runDir: string;
  let events: Event[];
  const ofType = <T extends Event['type']>(type: T) => events.filter((e): e is EventOf<T> => e.type === type);
  /** The command log of a stage's last attempt: what the stage really printed. */
  const commandLog = (step: string) => readFileSync(join(runDir, 'commands', `${ofType('command_exited').filter((e) => e.step === step).at(-1)!.commandId}.log`), 'utf8');

  beforeAll(async () => {
    demo = await labpilot(['--home', home, 'demo'], { ANTHROPIC_API_KEY: '' }).done;
    if (demo.code !== 0) console.error(demo.stdout.slice(-4000), demo.stderr);
    [runId] = readdirSync(join(home, 'runs')) as [string];
    runDir = join(home, 'runs', runId);
    events = parseEvents(readFileSync(join(runDir, 'events.jsonl'), 'utf8'));
  }, 300_000);

  it('the demo ends by printing where its report is', () => {
    expect(demo.code).toBe(0);
    expect(demo.stdout).toContain(`report: ${join(runDir, 'report.md')}\n        ${join(runDir, 'report.html')}\n`);
    expect(existsSync(join(runDir, 'report.html'))).toBe(true);
  });

  it("saves the report in the repository's results folder, commits it on the run's branch and pushes it", () => {
    const origin = /; pushed to (\S+)$/m.exec(demo.stdout)![1]!;
    const branch = `labpilot/${runId}`;
    const show = (path: string) => execFileSync('git', ['show', `${branch}:${path}`], { cwd: origin });
    // The pushed branch holds the run folder's report, its log and results links leading back
    // into the run folder from where the copy stands.
    const copy = show('RVQExperiment/phase3/results/labpilot-report.md').toString();
    const saved = join(ofType('run_started')[0]!.workspace, 'RVQExperiment/phase3/results');
    expect(copy).toBe(relinked(readFileSync(join(runDir, 'report.md'), 'utf8'), relative(saved, runDir)));
    const links = [...copy.matchAll(/\]\(([^)]*\/(?:commands|results)\/[^)]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(3);
    for (const link of links) expect(existsSync(resolve(saved, decodeURI(link))), link).toBe(true);
    expect(show('RVQExperiment/phase3/results/labpilot-report.html').length).toBeGreaterThan(10_000);
    expect(execFileSync('git', ['log', '-1', '--format=%s', branch], { cwd: origin }).toString()).toBe(`labpilot: results of run ${runId}\n`);
    expect(demo.stdout).toMatch(/^results: RVQExperiment\/phase3\/results\/labpilot-report\.md, RVQExperiment\/phase3\/results\/labpilot-report\.html; committed [0-9a-f]{8} on labpilot\/\S+; pushed to \S+$/m);
    expect(events.at(-1)).toMatchObject({ type: 'run_ended', verdict: 'passed' });
  });

  it('rebuilds byte-identical Markdown and HTML from the log of the finished run', async () => {
    const out = tempDir('labpilot-report-');
    const r = await labpilot(['--home', home, 'report', runId, '--md', join(out, 'again.md'), '--html', join(out, 'again.html')]).done;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, 'again.md'))).toEqual(readFileSync(join(runDir, 'report.md')));
    expect(readFileSync(join(out, 'again.html'))).toEqual(readFileSync(join(runDir, 'report.html')));
  });

  it('shows per task the successes each compared stage printed', () => {
    const md = readFileSync(join(runDir, 'report.md'), 'utf8');
    const perTask = (step: string) => [...commandLog(step).matchAll(/^Task (\d+) success: (\d+)\/(\d+)/gm)].map((m) => `${m[2]}/${m[3]}`);
    const full = perTask('full');
    const baseline = perTask('baseline');
    expect(full).toHaveLength(10);
    const rate = String.raw`[0-9.]+% \((\d+\/\d+); 95% CI ([0-9.]+)%-([0-9.]+)%\)`;
    const rows = [...md.matchAll(new RegExp(String.raw`^\| (\d+) \| [^|]+ \| ${rate} \| ${rate} \|$`, 'gm'))];
    expect(rows.map((m) => [m[2], m[5]])).toEqual(full.map((f, i) => [f, baseline[i]]));
    // Each rate carries its exact interval.
    for (const m of rows) {
      const [k, n] = m[2]!.split('/').map(Number) as [number, number];
      const ci = clopperPearson(k, n);
      expect([m[3], m[4]]).toEqual([(ci.low * 100).toFixed(1), (ci.high * 100).toFixed(1)]);
    }
  });

  it('holds the run metadata, the test of the difference with its p-value and the 4-bit condition flag', () => {
    const md = readFileSync(join(runDir, 'report.md'), 'utf8');
    const started = ofType('run_started')[0]!;
    const commit = ofType('commit_made').filter((c) => c.seq < ofType('command_started').find((s) => s.step === 'full')!.seq).at(-1)!;
    expect(md).toContain('## Run metadata');
    expect(md).toContain(`| Date | ${started.ts} |`);
    expect(md).toContain(`| Evaluated script | \`RVQExperiment/phase3/modal_phase3_libero_eval.py\` at commit \`${commit.sha.slice(0, 12)}\``);
    expect(md).toContain('| Suite | `libero_spatial` |');
    expect(md).toContain('| Trials per task | smoke_trials 1, stability_trials 5, full_trials 50, baseline_trials 50 |');
    expect(md).toMatch(/^\| labpilot \| \d+\.\d+\.\d+ \|$/m);
    expect(md).toContain(`| Playbook | \`rsd-phase3\`, sha256 \`${started.playbookHash.slice(0, 12)}\` |`);
    expect(md).toContain('## RSD (speculative decoding) vs Baseline');
    expect(md).toMatch(/^- Difference in success \(RSD \(speculative decoding\) minus Baseline\): \*\*[-+][0-9.]+ points\*\* \(95% CI [-+][0-9.]+ to [-+][0-9.]+, Newcombe\); Fisher's exact test p [=<] [0-9.]+\.$/m);
    expect(md).toMatch(/^- Paired by episode \(same task, same initial state; 500 pairs\): \d+ succeeded only with RSD \(speculative decoding\), \d+ only with Baseline; exact McNemar p [=<] [0-9.]+\.$/m);
    expect(md).toMatch(/^- Paired over 10 tasks: .* df 9\); paired t-test p [=<] [0-9.]+\.$/m);
    // The OOM fix in smoke switched the main model to 4-bit before both compared stages ran.
    expect(md).toContain('- **Condition changed for both stages**: main model loaded in 4-bit (BitsAndBytesConfig) instead of bfloat16; fix "CUDA out of memory: main model loaded in 4-bit" (`cuda-oom`), chosen in `smoke`.');
    // Links to what the figures were read from, relative to the run folder.
    const full = ofType('command_exited').filter((e) => e.step === 'full').at(-1)!.commandId;
    expect(md).toMatch(new RegExp(`\\[log\\]\\(commands/${full}\\.log\\), \\[results\\]\\(results/phase3_libero_spatial_rsd_50trials_\\d+_\\d+\\.json\\)`));
    for (const link of md.matchAll(/\]\(((?:commands|results)\/[^)]+)\)/g)) expect(existsSync(join(runDir, link[1]!)), link[1]).toBe(true);
  });

  it('gives the measured speedup with its spread, the checklist, the remediations and the cost', () => {
    const md = readFileSync(join(runDir, 'report.md'), 'utf8');
    const mean = (step: string) => Number(/^Average inference time: ([0-9.]+)/m.exec(commandLog(step))![1]);
    const m = /Speedup: \*\*([0-9.]+)x\*\* \(95% interval ([0-9.]+)-([0-9.]+)x, t with \d+ df\)/.exec(md);
    expect(m).not.toBeNull();
    const [ratio, low, high] = [Number(m![1]), Number(m![2]), Number(m![3])];
    expect(low).toBeLessThan(ratio);
    expect(high).toBeGreaterThan(ratio);
    // The episode means average to the stage's own figure, up to how they are weighted.
    expect(ratio).toBeCloseTo(mean('baseline') / mean('full'), 1);

    const checklist = ofType('gate_judged').filter((g) => g.scope === 'checklist');
    expect(checklist.length).toBeGreaterThan(10);
    for (const c of checklist) expect(md).toContain(`| pass | ${c.check.replace(/\|/g, '\\|')} |`);
    // Each fix by its title and the output line that fired it, not the rule's regex.
    for (const r of ofType('remediation_chosen')) {
      const line = ofType('trigger_matched').filter((t) => t.remediation === r.remediation).at(-1)!.line.trim().slice(0, 60);
      const row = md.split('\n').find((l) => l.startsWith(`| \`${r.step}\` | `) && l.includes(`(\`${r.remediation}\`)`))!;
      expect(row).toMatch(/^\| `\w+` \| [A-Z][^|`]+ \(`[\w-]+`\) \| `[^`]+` \| prompt \| 1 \|$/);
      expect(row.replace(/\\\\/g, '\\')).toContain(line.replace(/`/g, "'"));
    }
    const spent = ofType('budget_spent').at(-1)!;
    expect(md).toContain(`${spent.turns} agent turns, ${spent.tokens.toLocaleString('en-US')} tokens, $${spent.dollars.toFixed(4)}`);
  });

  describe('the HTML page in headless Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      // CI installs Debian's chromium (.ci/run); a missing browser is a failure, not a skip.
      expect(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`).toBe(true);
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    }, 60_000);
    afterAll(async () => browser?.close());

    it('renders both charts as SVG: 20 bars with the measured heights and their error bars, 2 lines, and saves a screenshot', async () => {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      await page.goto(`file://${join(runDir, 'report.html')}`);
      expect(await page.locator('figure.chart > svg').count()).toBe(2);

      const bars = page.locator('figure[data-chart="tasks"] g.mark-rect path');
      expect(await bars.count()).toBe(20);
      const heights = await bars.evaluateAll((els) => els.map((el) => (el as unknown as { getBBox(): { height: number } }).getBBox().height));
      const rates = ['full', 'baseline'].flatMap((step) => [...commandLog(step).matchAll(/^Task \d+ success: (\d+)\/(\d+)/gm)].map((x) => Number(x[1]) / Number(x[2])));
      // The y axis runs 0-100% over the chart's 260 px.
      expect(heights.map((h) => Math.round(h))).toEqual(rates.map((r) => Math.round(r * 260)));

      // Each bar carries its exact 95% interval as an error bar: a rule from low to high.
      const errorBars = page.locator('figure[data-chart="tasks"] g.error_bars_marks line');
      expect(await errorBars.count()).toBe(20);
      const spans = await errorBars.evaluateAll((els) => els.map((el) => (el as unknown as { getBBox(): { height: number } }).getBBox().height));
      const counts = ['full', 'baseline'].flatMap((step) => [...commandLog(step).matchAll(/^Task \d+ success: (\d+)\/(\d+)/gm)].map((x) => clopperPearson(Number(x[1]), Number(x[2]))));
      expect(spans.map((h) => Math.round(h))).toEqual(counts.map((ci) => Math.round((ci.high - ci.low) * 260)));
      expect(await page.locator('figure[data-chart="tasks"] text', { hasText: 'RSD (speculative decoding)' }).count()).toBe(1);

      expect(await page.locator('figure[data-chart="timing"] g.mark-line path').count()).toBe(2);
      expect(await page.locator('figure[data-chart="tasks"] text', { hasText: 'Success per task' }).count()).toBe(1);

      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(statSync(SCREENSHOT).size).toBeGreaterThan(20_000);
      console.log(`report screenshot: ${SCREENSHOT}`);
    }, 60_000);
  });
});
