import type { RunReport } from './model.js';
import { comparisonSections } from './comparison-sections.js';
import { cell, dollars, duration, int, ms } from './format.js';
import { metadataSection } from './metadata.js';
import { countsOf, rateWithInterval } from './difference.js';
import { labelOf } from './stages.js';
import { evidenceSection } from './evidence-section.js';

/**
 * The report as sections of blocks, rendered to Markdown and to HTML alike, so the two say the
 * same thing. Inline text may use `code`, **bold** and [links](relative/path), nothing else.
 */
export type Block =
  | { kind: 'p'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; head: string[]; rows: string[][]; align?: Array<'l' | 'r'> }
  /** Verbatim text (a diff), fenced in Markdown and <pre> in HTML: never read as markup. */
  | { kind: 'code'; text: string; lang?: string }
  /** A chart: SVG in the HTML page, `text` (compact characters) in Markdown and the terminal. */
  | { kind: 'chart'; chart: 'tasks' | 'timing'; text: string[]; /** The suite it shows, in a fanned-out run. */ item?: string };

export interface Section {
  title: string;
  blocks: Block[];
}

export interface ReportDocument {
  title: string;
  sections: Section[];
}

const mark = (ok: boolean) => (ok ? 'pass' : 'FAIL');

/** ` [libero_object]` after a step's name for what ran per item, as the engine names its checks. */
const suiteOf = (x: { item?: string }) => (x.item === undefined ? '' : ` [${cell(x.item)}]`);

export function reportDocument(r: RunReport): ReportDocument {
  const sections: Section[] = [overview(r), metadataSection(r), stagesSection(r)];
  sections.push(...comparisonSections(r));
  if (r.earlyStops.length > 0) {
    sections.push({ title: 'Early stops', blocks: [{ kind: 'list', items: r.earlyStops.map((s) => `\`${s.step}\`${suiteOf(s)} (${s.commandId}): ${s.evidence}`) }] });
  }
  if (r.crossChecks.length > 0) {
    sections.push({ title: 'Results files', blocks: [{ kind: 'list', items: r.crossChecks.map((c) => `${c.agrees ? 'agrees' : '**DISAGREES**'}: \`${c.step}\`${suiteOf(c)} ${cell(c.text)}`) }] });
  }
  sections.push(checklistSection(r), remediationsSection(r));
  if (r.evidence.trees.length > 0 || r.evidence.reviews.length > 0) sections.push(evidenceSection(r));
  sections.push(costSection(r));
  return { title: `Run ${r.runId}: ${r.playbook}`, sections };
}

function overview(r: RunReport): Section {
  const verdict = r.verdict ? `**${r.verdict.verdict}**: ${r.verdict.reason}` : '**not finished**: the log has no run_ended event';
  return {
    title: 'Summary',
    blocks: [
      { kind: 'p', text: `Verdict: ${verdict}.` },
      { kind: 'list', items: [`Mode: ${r.mode}; agent ${r.agent}, model \`${r.model}\``, `Sandbox: ${r.sandbox?.detail ?? 'not recorded'}`, `Branch: \`${r.branch}\``, `Built from the run log alone (\`labpilot report ${r.runId}\` rebuilds it).`] },
    ],
  };
}

function stagesSection(r: RunReport): Section {
  const suites = r.stages.some((s) => s.item !== undefined);
  const rows = r.stages.map((s) => {
    const f = s.figures;
    const { episodes, successes } = countsOf(f);
    const crossChecked = r.crossChecks.some((c) => c.step === s.step && c.item === s.item);
    const results = f.resultsFile && crossChecked ? `, [results](results/${encodeURI(f.resultsFile.split('/').at(-1)!)})` : '';
    const label = labelOf(r.labels, s.step);
    return [
      `\`${s.step}\`${label === s.step ? '' : ` ${cell(label)}`}`,
      ...(suites ? [cell(s.item ?? '')] : []),
      s.exitCode === null ? `killed (${s.signal ?? 'signal'})` : String(s.exitCode),
      String(s.attempts),
      int(episodes),
      rateWithInterval(successes, episodes),
      String(f.live.errors),
      ms(f.inference?.meanMs),
      f.acceptance === undefined ? 'n/a' : f.acceptance === null ? 'n/a (nothing drafted)' : f.acceptance.toFixed(2),
      duration(s.durationMs),
      `[log](commands/${s.commandId}.log)${results}`,
    ];
  });
  return {
    title: 'Stages',
    blocks: [
      {
        kind: 'p',
        text: suites
          ? 'The last attempt of each run step, per suite for the steps that ran one command per suite, with the figures labpilot parsed from its output; success with its exact (Clopper-Pearson) 95% interval.'
          : 'The last attempt of each run step, with the figures labpilot parsed from its output; success with its exact (Clopper-Pearson) 95% interval.',
      },
      {
        kind: 'table',
        head: ['Stage', ...(suites ? ['Suite'] : []), 'Exit', 'Attempts', 'Episodes', 'Success', 'Episode errors', 'Inference/step', 'Acceptance', 'Time', 'Files'],
        rows,
        align: ['l', ...(suites ? (['l'] as const) : []), 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
      },
    ],
  };
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
    blocks: [
      {
        kind: 'table',
        head: ['Step', 'Fix', 'Fired by', 'Action', 'Attempt'],
        rows: r.remediations.map((x) => [
          `\`${x.step}\`${suiteOf(x)}`,
          x.title === x.remediation ? `\`${x.remediation}\`` : `${cell(x.title)} (\`${x.remediation}\`)`,
          x.line !== undefined ? `\`${cell(x.line.replace(/`/g, "'"))}\`` : cell(x.why.replace(/^\S+ \(priority \d+\): /, '')),
          x.action,
          String(x.attempt),
        ]),
      },
    ],
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
