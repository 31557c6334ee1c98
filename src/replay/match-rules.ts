import { compileMatcher, type Matcher } from '../engine/matcher.js';
import type { Playbook } from '../playbook/schema.js';

/** The playbook's trigger matcher, compiled as a live run compiles it. */
export function playbookMatcher(pb: Playbook): Matcher {
  return compileMatcher((pb.remediations ?? []).flatMap((r) => (r.when.match === undefined ? [] : [{ id: r.id, regex: r.when.match, sources: r.when.in }])));
}
