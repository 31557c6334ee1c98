import { beforeAll, describe, expect, it } from 'vitest';
import { crashCase, type CaseResult } from '../../bench/crash-campaign.js';
import { measureCase } from '../../bench/crash-measure.js';
import { fuzzCampaign } from '../../bench/fuzz.js';

/**
 * A few seeded cases of the two campaigns `npm run bench -- crash` and `-- fuzz` run in full:
 * the demo killed during the clone, inside an agent turn and right after its verdict, each resumed and compared
 * with an uninterrupted run; and mutants of playbooks, transcripts and run logs through every
 * command that reads them.
 */
describe('crash cases of the demo', () => {
  let baseline: CaseResult;
  beforeAll(async () => {
    baseline = await crashCase();
  }, 300_000);

  it.each([
    ['during the clone, its first step', { type: 'run_started', anchor: 1, delayMs: 0 }],
    ['inside an agent turn, after a reply that calls a tool', { type: 'agent_reply', anchor: 3, delayMs: 0 }],
    ['right after run_ended, before the results are committed', { type: 'run_ended', anchor: 1, delayMs: 0 }],
  ])('killed %s: resumed to the same verdict, nothing sent or run twice, nothing lost', async (_what, at) => {
    const c = await crashCase(at);
    expect(c.code).toBeNull();
    expect(measureCase(baseline, c)).toEqual({ same: true, duplicatedPrompts: 0, rerunCommands: 0, lostEvents: 0, why: [] });
  }, 300_000);
});

describe('fuzz cases', () => {
  it('60 seeded mutants: no crash, no hang, every error on bad input located', async () => {
    const lines: string[] = [];
    const r = await fuzzCampaign({ n: 60, seed: 11, every: 30, timeoutMs: 30_000, log: (l) => lines.push(l) });
    expect(lines).toEqual([]);
    expect([r.crashes, r.hangs, r.unlocated]).toEqual([0, 0, 0]);
    expect([...r.byTarget.keys()].sort()).toEqual(['lint', 'parse', 'replay', 'report', 'resume']);
  }, 300_000);
});
