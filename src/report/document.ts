import type { RunReport, StageReport } from './model.js';
import { cell, dollars, duration, int, ms, pct } from './format.js';
import { taskBars, timingLines } from './text-charts.js';

/**
 * The report as sections of blocks, rendered to Markdown and to HTML alike, so the two say the
 * same thing. Inline text may use `code` and **bold**, nothing else.
 */
export type Block =
  | { kind: 'p'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; head: string[]; rows: string[][]; align?: Array<'l' | 'r'> }
  /** A chart: SVG in the HTML page, `text` (compact characters) in Markdown and the terminal. */
  | { kind: 'chart'; chart: 'tasks' | 'timing'; text: string[] };

export interface Section {
  title: string;
  blocks: Block[];
}

export interface ReportDocument {
  title: string;
  sections: Section[];
}

const mark = (ok: boolean) => (ok ? 'pass' : 'FAIL');

export function reportDocument(r: RunReport): ReportDocument {
  const sections: Section[] = [overview(r), stagesSection(r)];
  const cmp = comparisonSection(r);
  if (cmp) sections.push(...cmp);
  if (r.earlyStops.length > 0) {
    sections.push({ title: 'Early stops', blocks: [{ kind: 'list', items: r.earlyStops.map((s) => `\`${s.step}\` (${s.commandId}): ${s.evidence}`) }] });
  }
  if (r.crossChecks.length > 0) {
    sections.push({ title: 'Results files', blocks: [{ kind: 'list', items: r.crossChecks.map((c) => `${c.agrees ? 'agrees' : '**DISAGREES**'}: \`${c.step}\` ${cell(c.text)}`) }] });
  }
  sections.push(checklistSection(r), remediationsSection(r), costSection(r));
  return { title: `Run ${r.runId}: ${r.playbook}`, sections };
}

function overview(r: RunReport): Section {
  const verdict = r.verdict ? `**${r.verdict.verdict}**: ${r.verdict.reason}` : '**not finished**: the log has no run_ended event';
  return {
    title: 'Summary',
    blocks: [
      { kind: 'p', text: `Verdict: ${verdict}.` },
      { kind: 'list', items: [`Mode: ${r.mode}; agent ${r.agent}, model \`${r.model}\``, `Branch: \`${r.branch}\``, `Built from the run log alone (\`labpilot report ${r.runId}\` rebuilds it).`] },
    ],
  };
}

function stagesSection(r: RunReport): Section {
  const rows = r.stages.map((s) => {
    const f = s.figures;
    const episodes = f.totals?.episodes ?? f.episodes.length;
    const successes = f.totals?.successes ?? f.episodes.filter((e) => e.success).length;
    return [
      `\`${s.step}\``,
      s.exitCode === null ? `killed (${s.signal ?? 'signal'})` : String(s.exitCode),
      String(s.attempts),
      int(episodes),
      episodes > 0 ? `${pct(successes / episodes)} (${successes}/${episodes})` : 'n/a',
      String(f.live.errors),
      ms(f.inference?.meanMs),
      f.acceptance === undefined ? 'n/a' : f.acceptance === null ? 'n/a (nothing drafted)' : f.acceptance.toFixed(2),
      duration(s.durationMs),
    ];
  });
  return {
    title: 'Stages',
    blocks: [
      { kind: 'p', text: 'The last attempt of each run step, with the figures labpilot parsed from its output.' },
      { kind: 'table', head: ['Stage', 'Exit', 'Attempts', 'Episodes', 'Success', 'Episode errors', 'Inference/step', 'Acceptance', 'Time'], rows, align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'] },
    ],
  };
}

const timesOf = (s: StageReport) => s.figures.episodes.flatMap((e) => (e.inferenceMs === undefined ? [] : [e.inferenceMs]));

function comparisonSection(r: RunReport): Section[] | undefined {
  const c = r.comparison;
  if (!c) return undefined;
  const t = r.stages.find((s) => s.step === c.treatment)!;
  const b = r.stages.find((s) => s.step === c.baseline)!;
  const rate = (s: StageReport) => s.figures.totals?.successRate ?? (s.figures.episodes.length ? s.figures.episodes.filter((e) => e.success).length / s.figures.episodes.length : undefined);
  const sp = c.speedup;
  const speed = !sp
    ? 'Speedup: not measured (a stage printed no inference time).'
    : sp.low !== undefined
      ? `Speedup: **${sp.ratio.toFixed(2)}x** (95% interval ${sp.low.toFixed(2)}-${sp.high!.toFixed(2)}x), the mean of per-episode inference times of \`${c.baseline}\` (${ms(sp.baseline!.mean)}, p10-p90 ${sp.baseline!.p10.toFixed(1)}-${sp.baseline!.p90.toFixed(1)}) over \`${c.treatment}\` (${ms(sp.treatment!.mean)}, p10-p90 ${sp.treatment!.p10.toFixed(1)}-${sp.treatment!.p90.toFixed(1)}), ${sp.episodes.baseline} and ${sp.episodes.treatment} episodes.`
      : `Speedup: **${sp.ratio.toFixed(2)}x** from the stage averages only; the output has no per-episode timing, so there is no spread to report.`;
  const head = {
    title: `${c.treatment} vs ${c.baseline}`,
    blocks: [
      { kind: 'list', items: [`Success: ${pct(rate(t))} with \`${c.treatment}\`, ${pct(rate(b))} with \`${c.baseline}\``, `Inference per step: ${ms(t.figures.inference?.meanMs)} vs ${ms(b.figures.inference?.meanMs)}`, speed] },
    ],
  } satisfies Section;
  const tasks = taskTable(t, b);
  const timing = [timesOf(t), timesOf(b)];
  const timingBlocks: Block[] =
    timing[0]!.length + timing[1]!.length > 0
      ? [{ kind: 'chart', chart: 'timing', text: timingLines([{ name: c.treatment, values: timing[0]! }, { name: c.baseline, values: timing[1]! }]) }]
      : [{ kind: 'p', text: 'The output has no per-episode timing (`Episode inference time:` lines); only the stage averages above are known.' }];
  return [
    head,
    { title: 'Success per task', blocks: [{ kind: 'chart', chart: 'tasks', text: taskBars([{ name: c.treatment, tasks: t.figures.tasks }, { name: c.baseline, tasks: b.figures.tasks }]) }, tasks] },
    { title: 'Inference time over episodes', blocks: timingBlocks },
    { title: 'Acceptance and timing breakdown', blocks: [breakdown(r.stages.filter((s) => s.figures.inference))] },
  ];
}

function taskTable(t: StageReport, b: StageReport): Block {
  const ids = [...new Set([...t.figures.tasks, ...b.figures.tasks].map((x) => x.task))].sort((x, y) => x - y);
  const rate = (s: StageReport, id: number) => {
    const x = s.figures.tasks.find((k) => k.task === id);
    return x ? `${pct(x.episodes ? x.successes / x.episodes : undefined)} (${x.successes}/${x.episodes})` : 'n/a';
  };
  const desc = (id: number) => t.figures.tasks.find((k) => k.task === id)?.description ?? b.figures.tasks.find((k) => k.task === id)?.description ?? '';
  return { kind: 'table', head: ['Task', 'Description', t.step, b.step], rows: ids.map((id) => [String(id), cell(desc(id)), rate(t, id), rate(b, id)]), align: ['r', 'l', 'r', 'r'] };
}

function breakdown(stages: StageReport[]): Block {
  const rows = stages.map((s) => {
    const i = s.figures.inference!;
    const times = timesOf(s);
    const spread = times.length > 0 ? `${Math.min(...times).toFixed(1)}-${Math.max(...times).toFixed(1)} ms` : 'n/a';
    const acc = s.figures.acceptance;
    return [`\`${s.step}\``, acc === undefined || acc === null ? 'n/a' : acc.toFixed(2), ms(i.meanMs), ms(i.draftMs), ms(i.mainMs), spread];
  });
  return { kind: 'table', head: ['Stage', 'Draft acceptance', 'Mean/step', 'Draft', 'Main', 'Episode means (min-max)'], rows, align: ['l', 'r', 'r', 'r', 'r', 'r'] };
}

function checklistSection(r: RunReport): Section {
  if (r.checklist.length === 0) return { title: 'Checklist', blocks: [{ kind: 'p', text: 'The checklist was not judged (the run ended before it).' }] };
  return {
    title: 'Checklist',
    blocks: [{ kind: 'table', head: ['', 'Item', 'How it was verified'], rows: r.checklist.map((c) => [mark(c.passed), cell(c.item), cell(c.detail)]) }],
  };
}

function remediationsSection(r: RunReport): Section {
  if (r.remediations.length === 0) return { title: 'Remediations', blocks: [{ kind: 'p', text: 'No remediation fired.' }] };
  return {
    title: 'Remediations',
    blocks: [{ kind: 'table', head: ['Step', 'Remediation', 'Action', 'Attempt', 'Why'], rows: r.remediations.map((x) => [`\`${x.step}\``, `\`${x.remediation}\``, x.action, String(x.attempt), cell(x.why)]) }],
  };
}

function costSection(r: RunReport): Section {
  const c = r.cost;
  const rows = c.steps.map((s) => [`\`${s.step}\``, String(s.attempts), duration(s.wallMs), s.commandMs > 0 ? duration(s.commandMs) : '', String(s.turns), int(s.tokens), dollars(s.dollars)]);
  return {
    title: 'Cost',
    blocks: [
      { kind: 'p', text: `${c.turns} agent turns, ${int(c.tokens)} tokens, ${dollars(c.dollars)}; wall time ${duration(c.wallMs)}.` },
      { kind: 'table', head: ['Step', 'Attempts', 'Wall time', 'Commands', 'Turns', 'Tokens', 'Dollars'], rows, align: ['l', 'r', 'r', 'r', 'r', 'r', 'r'] },
    ],
  };
}
