import { beforeAll, describe, expect, it } from 'vitest';
import { crashCase, type CaseResult } from '../../bench/crash-campaign.js';
import { ofType } from '../helpers/cli.js';

/**
 * The demo killed with SIGKILL while labpilot runs the first smoke stage (after five agent
 * turns), then resumed: the smoke stage fails on the code the agent wrote, so the resumed run
 * prompts the agent again, and that first request carries the conversation of the killed run.
 */
describe('a run killed mid-run, resumed', () => {
  let c: CaseResult;
  beforeAll(async () => {
    c = await crashCase({ type: 'command_started', anchor: 1, delayMs: 0 });
  }, 240_000);

  it('the first model request after resume carries the earlier conversation', () => {
    expect(c.code).toBeNull();
    expect(ofType(c.before, 'agent_turn_ended')).toHaveLength(5);
    const before = c.requests.slice(0, c.requestsBeforeResume);
    const first = c.requests[c.requestsBeforeResume]!;
    // Every message of the last request before the kill, and its answer, come first, unchanged.
    const last = before.at(-1)!;
    expect(first.messages.length).toBeGreaterThan(last.messages.length);
    expect(JSON.stringify(first.messages.slice(0, last.messages.length).map((m) => m.content))).toBe(
      JSON.stringify(last.messages.map((m) => m.content)).replaceAll(',"cache_control":{"type":"ephemeral"}', ''),
    );
    const firstPrompt = ofType(c.before, 'prompt_sent')[0]!;
    expect(JSON.stringify(first.messages[0])).toContain(firstPrompt.text.slice(0, 40).replaceAll('\n', '\\n'));
  });

  it('goes on counting turns, and reaches the verdict of an uninterrupted run', () => {
    const after = c.events.slice(c.before.length);
    const turns = [...ofType(after, 'tool_call'), ...ofType(after, 'agent_text'), ...ofType(after, 'agent_turn_ended')].map((e) => e.turn);
    expect(Math.min(...turns)).toBe(6);
    expect(ofType(c.events, 'agent_turn_ended').map((e) => e.turn)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(c.resumeCode).toBe(0);
    expect(c.events.at(-1)).toMatchObject({ type: 'run_ended', verdict: 'passed' });
    expect(c.resultsCommits).toBe(1);
  });
});
