import type { z } from 'zod';
import type { RunAnnotations } from '../events/schema.js';
import type { Playbook } from '../playbook/schema.js';
import { packageVersion } from '../package-root.js';

/**
 * What `run_started` records for the report besides the run's identity: labpilot's version and
 * the playbook's names for its stages and fixes, so that a report rebuilt from the log alone
 * says "RSD (speculative decoding) vs Baseline" and flags a fix that changed the condition.
 */
export function runAnnotations(playbook: Playbook): { labpilot: string; annotations: z.infer<typeof RunAnnotations> } {
  const labels = Object.fromEntries(playbook.steps.flatMap((s) => (s.label === undefined ? [] : [[s.id, s.label]])));
  const remediations = Object.fromEntries(
    (playbook.remediations ?? []).flatMap((r) => {
      const title = r.title ?? r.description;
      if (title === undefined && r.changes_condition === undefined) return [];
      return [[r.id, { ...(title !== undefined && { title }), ...(r.changes_condition !== undefined && { changesCondition: r.changes_condition }) }]];
    }),
  );
  return { labpilot: packageVersion(), annotations: { labels, remediations } };
}
