import type { CoveragePoint } from './coverage.js';
import { remediationSnippet } from './snippet.js';
import { oneLine } from '../../one-line.js';

/** A remediation prompt is named by its first line with words, not its Markdown heading. */
const gist = (text: string) =>
  oneLine(
    text
      .split('\n')
      .map((l) => l.replace(/^#+\s*/, '').trim())
      .filter((l) => l !== '')
      .slice(0, 2)
      .join(' — '),
    140,
  );

const VERDICT: Record<CoveragePoint['verdict'], string> = {
  covered: 'covered',
  missed: 'MISSED by the playbook',
  unanswered: 'rule fired, the person did nothing',
  step: 'next step',
};

/** `68%`: how much of the person's follow-up the playbook's text says. */
export const similarityText = (x: number) => `${Math.round(x * 100)}%`;

export function formatPoint(p: CoveragePoint): string {
  const by = p.remediation && p.verdict === 'covered' ? ` by ${p.remediation.rule}` : '';
  const said = p.similarity === undefined ? '' : ` (the playbook's text says ${similarityText(p.similarity)} of what the person said)`;
  const lines = [`point ${p.index} (line ${p.line}, step ${p.step}): ${VERDICT[p.verdict]}${by}${p.verdict === 'covered' || p.verdict === 'missed' ? said : ''}`];
  for (const t of p.triggers) lines.push(`  trigger ${t.remediation} (${t.source.replace('_', ' ')}): ${oneLine(t.line, 140)}`);
  if (p.remediation) lines.push(`  playbook would send: ${p.remediation.rule}: ${gist(p.remediation.text)}`);
  lines.push(`  person sent: ${p.followUp === undefined ? '(nothing: the transcript ends)' : oneLine(p.followUp, 140)}`);
  return lines.join('\n') + '\n';
}

/** Points listed per kind; past this only counted, so a transcript of any length keeps memory bounded. */
const LISTED = 200;

/** Totals and the pieces worth acting on: what the playbook reproduces, misses, and adds. */
export class CoverageSummary {
  private readonly covered: CoveragePoint[] = [];
  private readonly missed: CoveragePoint[] = [];
  private readonly unanswered: CoveragePoint[] = [];
  private readonly counts = { covered: 0, missed: 0, unanswered: 0, step: 0 };
  private readonly rules = new Set<string>();

  add(p: CoveragePoint): void {
    this.counts[p.verdict]++;
    if (p.verdict === 'covered') this.rules.add(p.remediation!.rule);
    const list = p.verdict === 'covered' ? this.covered : p.verdict === 'missed' ? this.missed : p.verdict === 'unanswered' ? this.unanswered : undefined;
    if (list && list.length < LISTED) list.push(p);
  }

  get missedCount(): number {
    return this.counts.missed;
  }

  format(): string {
    const { covered, missed, unanswered, step } = this.counts;
    const more = (shown: number, all: number) => (all > shown ? [`    (${all - shown} more)`] : []);
    const followUps = covered + missed;
    const share = followUps === 0 ? 'no follow-up to cover' : `${covered} of ${followUps} follow-up(s) of the person (${Math.round((covered / followUps) * 100)}%)`;
    const out: string[] = [`coverage: the playbook says what the person said at ${share}`, 'summary:'];
    out.push(`  ${covered} follow-up(s) the playbook would have produced${covered ? `: ${[...this.rules].join(', ')}` : ''}`);
    for (const p of this.covered) out.push(`    line ${p.line} (${p.step}): ${p.remediation!.rule} <- "${oneLine(p.followUp ?? '', 80)}"`);
    out.push(...more(this.covered.length, covered));
    out.push(`  ${missed} follow-up(s) it missed${missed ? ' (remediations to paste under remediations:)' : ''}`);
    const taken = new Set<string>();
    for (const p of this.missed) {
      out.push(`    line ${p.line} (${p.step}): "${oneLine(p.followUp ?? '', 80)}"`);
      out.push(...remediationSnippet(p, taken).trimEnd().split('\n').map((l) => `      ${l}`));
    }
    out.push(...more(this.missed.length, missed));
    out.push(`  ${unanswered} rule(s) fired where the person did nothing`);
    for (const p of this.unanswered) out.push(`    line ${p.line} (${p.step}): ${p.remediation!.rule}: ${oneLine(p.triggers[0]?.line ?? p.remediation!.why, 100)}`);
    out.push(...more(this.unanswered.length, unanswered));
    out.push(`  ${step} step prompt(s) of the person`);
    return out.join('\n') + '\n';
  }

  json() {
    const taken = new Set<string>();
    const ref = (p: CoveragePoint) => ({ line: p.line, step: p.step, rule: p.remediation?.rule ?? null, followUp: p.followUp ?? null, similarity: p.similarity ?? null });
    const followUps = this.counts.covered + this.counts.missed;
    return {
      coverage: { covered: this.counts.covered, followUps, share: followUps === 0 ? null : this.counts.covered / followUps },
      covered: this.covered.map(ref),
      missed: this.missed.map((p) => ({ ...ref(p), snippet: remediationSnippet(p, taken) })),
      unanswered: this.unanswered.map(ref),
      stepPrompts: this.counts.step,
    };
  }
}
