import { firstDifferentLine } from './diff.js';
import type { ReplayRunResult } from './run-replay.js';
import type { TraceItem } from './trace.js';

/**
 * The plain report of a run replay: one block per difference, naming the step, and what the
 * recorded run did beside what the replayed playbook did there.
 */
export function formatRunReplay(r: ReplayRunResult): string {
  const lines: string[] = [];
  const which = r.playbookChanged ? `${r.playbookPath} (changed since the run)` : `${r.playbookPath} (as recorded)`;
  lines.push(`replay of run ${r.runId} with ${which}`);
  if (r.playbookPath !== r.recordedPlaybook) lines.push(`  the run used ${r.recordedPlaybook}`);
  lines.push(`  ${r.recorded.length} recorded decisions, ${r.replayed.length} replayed`);
  if (r.tornTail) lines.push('  the log ends in a torn line (skipped)');
  if (r.stopped) lines.push(`  the replay stopped early: ${r.stopped}`);
  r.differences.forEach((d, i) => {
    lines.push(`difference ${i + 1} in step ${d.step || '(none)'}:`);
    const pair = promptPair(d.recorded, d.replayed);
    lines.push(...side('-', 'recorded', d.recorded), ...side('+', 'replayed', d.replayed));
    if (pair) {
      lines.push(`    the prompts differ at line ${pair.line}:`);
      lines.push(`      recorded: ${pair.recorded}`);
      lines.push(`      replayed: ${pair.replayed}`);
    }
  });
  const n = r.differences.length;
  lines.push(n === 0 ? 'no differences: the playbook makes the recorded decisions' : `${n} difference${n === 1 ? '' : 's'}`);
  return lines.join('\n') + '\n';
}

/** What follows a parting is mostly its consequence: a few items say enough. */
const SHOWN = 6;

function side(mark: string, name: string, items: TraceItem[]): string[] {
  const out = items.slice(0, SHOWN).map((i) => `  ${mark} ${name}: ${i.label}`);
  if (items.length > SHOWN) out.push(`  ${mark} ${name}: (${items.length - SHOWN} more)`);
  return out;
}

/** When a difference is one prompt against another, where their texts part. */
function promptPair(a: TraceItem[], b: TraceItem[]) {
  const x = a.find((i) => i.kind === 'prompt');
  const y = b.find((i) => i.kind === 'prompt');
  if (!x?.text || !y?.text) return undefined;
  return firstDifferentLine(x.text, y.text);
}

/** The same as data, for --json. */
export function runReplayJson(r: ReplayRunResult) {
  const item = ({ kind, step, label, seq }: TraceItem) => ({ kind, step, label, seq });
  return {
    runId: r.runId,
    playbook: r.playbookPath,
    playbookChanged: r.playbookChanged,
    recordedDecisions: r.recorded.length,
    replayedDecisions: r.replayed.length,
    stopped: r.stopped ?? null,
    differences: r.differences.map((d) => ({ step: d.step, recorded: d.recorded.map(item), replayed: d.replayed.map(item) })),
  };
}
