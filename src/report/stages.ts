import type { Event, EventOf } from '../events/schema.js';
import { parseLiberoOutput } from '../results/libero-log.js';
import type { Comparison, StageReport } from './model.js';
import { speedupOf } from './stats.js';

/**
 * The stages of a run: the last command of each run step, or of each step and item when the step
 * was fanned out over a list (a retry reruns only the items that failed, so an item's last
 * command is the one that counts). Steps in the order they ran; a step's items in the order
 * their commands started, which is the order of the list.
 */
export function stagesOf(events: Event[]): StageReport[] {
  const lines = new Map<string, string[]>();
  for (const e of events) if (e.type === 'command_output') (lines.get(e.commandId) ?? lines.set(e.commandId, []).get(e.commandId)!).push(e.line);
  const started = events.filter((e): e is EventOf<'command_started'> => e.type === 'command_started');
  const commands = new Map(started.map((c) => [c.commandId, c]));
  const key = (step: string, item: string | undefined) => (item === undefined ? step : `${step}\u0000${item}`);
  const firstStart = new Map<string, number>();
  started.forEach((c, i) => firstStart.has(key(c.step, c.item)) || firstStart.set(key(c.step, c.item), i));
  const last = new Map<string, Map<string | undefined, { exited: EventOf<'command_exited'>; attempts: number }>>();
  for (const x of events) {
    if (x.type !== 'command_exited') continue;
    const item = x.item ?? commands.get(x.commandId)?.item;
    const byItem = last.get(x.step) ?? last.set(x.step, new Map()).get(x.step)!;
    byItem.set(item, { exited: x, attempts: (byItem.get(item)?.attempts ?? 0) + 1 });
  }
  return [...last.entries()].flatMap(([step, byItem]) =>
    [...byItem.entries()]
      .sort(([a], [b]) => (firstStart.get(key(step, a)) ?? Infinity) - (firstStart.get(key(step, b)) ?? Infinity))
      .map(([item, { exited, attempts }]) => ({
        step: exited.step,
        ...(item !== undefined && { item }),
        commandId: exited.commandId,
        attempts,
        exitCode: exited.exitCode,
        signal: exited.signal,
        durationMs: exited.durationMs,
        figures: parseLiberoOutput(lines.get(exited.commandId) ?? []),
      })),
  );
}

/** One comparison for the stages without an item, and one per item whose stages make one. */
export function comparisonsOf(stages: StageReport[]): Comparison[] {
  const items = [...new Set(stages.map((s) => s.item))];
  return items.flatMap((item) => {
    const c = comparisonOf(stages.filter((s) => s.item === item));
    return !c ? [] : item === undefined ? [c] : [{ treatment: c.treatment, baseline: c.baseline, item, speedup: c.speedup }];
  });
}

/**
 * The stage measured without the change (a step named like "baseline") against the largest other
 * stage with per-task results that came before it: in the RSD playbook, full against baseline.
 */
function comparisonOf(stages: StageReport[]): Comparison | undefined {
  const measured = stages.filter((s) => s.figures.tasks.length > 0);
  const baseline = measured.find((s) => /baseline/i.test(s.step));
  if (!baseline) return undefined;
  const others = measured.filter((s) => s !== baseline);
  const size = (s: StageReport) => s.figures.episodes.length;
  const treatment = others.reduce<StageReport | undefined>((best, s) => (best && size(best) > size(s) ? best : s), undefined);
  if (!treatment) return undefined;
  return { treatment: treatment.step, baseline: baseline.step, speedup: speedupOf(baseline.figures, treatment.figures) };
}

/** The stage of a step for an item (none for a step that was not fanned out). */
export function stageOf(stages: StageReport[], step: string, item: string | undefined): StageReport | undefined {
  return stages.find((s) => s.step === step && s.item === item);
}

/** What the report calls a stage: the playbook's `label:`, else the step id. */
export function labelOf(labels: Record<string, string>, step: string): string {
  return labels[step] ?? step;
}
