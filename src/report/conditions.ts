import type { RunReport, StageReport } from './model.js';
import { labelOf } from './stages.js';
import { cell } from './format.js';

/**
 * The fixes that changed the experimental condition, as flags beside the comparison they
 * affect: a fix chosen before both compared stages ran changes what both measure; one chosen
 * between them means the two stages ran under different conditions.
 */
export function conditionItems(r: RunReport, t: StageReport, b: StageReport): string[] {
  return r.conditions.flatMap((c) => {
    const inT = c.after.includes(t.commandId);
    const inB = c.after.includes(b.commandId);
    if (!inT && !inB) return [];
    const fix = `fix "${cell(c.title)}" (\`${c.remediation}\`), chosen in \`${c.step}\`${c.item === undefined ? '' : ` [${cell(c.item)}]`}`;
    if (inT && inB) return [`**Condition changed for both stages**: ${cell(c.condition)}; ${fix}. The comparison holds under this condition, not the original one.`];
    const only = labelOf(r.labels, inT ? t.step : b.step);
    return [`**Condition changed for ${cell(only)} only**: ${cell(c.condition)}; ${fix}. The two stages ran under different conditions, so their difference is confounded with it.`];
  });
}
