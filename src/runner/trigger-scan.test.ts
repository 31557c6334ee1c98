import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePlaybook } from '../playbook/compile.js';
import { loadPlaybook } from '../playbook/load.js';
import { packageRoot } from '../package-root.js';
import { compileMatcher } from '../engine/matcher.js';
import { EventBus } from '../runs/bus.js';
import { Redactor } from '../runs/redact.js';
import type { Event } from '../events/schema.js';
import { applicableRules, reportTriggers } from './trigger-scan.js';

const pb = compilePlaybook(await loadPlaybook(path.join(packageRoot(), 'playbooks', 'rsd-phase3.yaml')), { repo: 'r' });
const matcher = compileMatcher((pb.playbook.remediations ?? []).flatMap((r) => (r.when.match === undefined ? [] : [{ id: r.id, regex: r.when.match, sources: r.when.in }])));

function scope() {
  const bus = new EventBus({ now: () => 0 }, new Redactor({}));
  const events: Event[] = [];
  bus.subscribe((e) => events.push(e));
  return { s: { pb, matcher, bus, reported: new Set<string>() }, events };
}

describe('trigger scan', () => {
  it('reports a rule once per action, only in the steps it applies to, with the line and its groups', () => {
    const { s, events } = scope();
    const line = 'Episode error: Cannot set state of 3 qpos entries';
    expect(reportTriggers(s, 'setup', line, 'command_output')).toBe(false);
    expect(reportTriggers(s, 'smoke', line, 'command_output')).toBe(true);
    expect(reportTriggers(s, 'smoke', line, 'command_output')).toBe(false);
    expect(reportTriggers(s, 'smoke', line, 'command_output', 'seed=1')).toBe(true);
    expect(events.map((e) => e.type === 'trigger_matched' && [e.remediation, e.step, e.line, e.item])).toEqual([
      ['episode-errors', 'smoke', line, undefined],
      ['episode-errors', 'smoke', line, 'seed=1'],
    ]);
    expect(reportTriggers(s, 'smoke', 'Step 10/500 | loss 0.4321', 'command_output')).toBe(false);
  });

  it('works out the applicable rules once per playbook and step', () => {
    expect(applicableRules(pb, 'smoke')).toBe(applicableRules(pb, 'smoke'));
    expect(applicableRules(pb, 'smoke').has('episode-errors')).toBe(true);
    expect(applicableRules(pb, 'setup').has('episode-errors')).toBe(false);
  });
});
