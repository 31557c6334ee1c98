import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMessagesStandin, type MessagesStandin } from '../../src/standin/messages-server.js';
import { labpilot, ofType, parseEvents, tempDir } from '../helpers/cli.js';

/**
 * Budgets through the real binary and the Messages API stand-in: a step that keeps failing and a
 * remediation that keeps firing stop at the turn budget, with the budget as the reason, after at
 * most the budget's turns plus the one in flight.
 */
const PROMPT_LOOP = `name: prompt-loop
budgets: { turns: 2, attempts: 20 }
steps:
  - id: do
    kind: prompt
    prompt: Create the file done.txt.
    done_when: [{ check: file_exists, path: never-created.txt }]
remediations:
  - id: still-not-done
    when: { match: "Done", in: [agent_text] }
    then: { prompt: "The check still fails: {{match}}. Try again." }
    max_attempts: 50
`;

const RUN_LOOP = `name: run-loop
budgets: { turns: 2, attempts: 20 }
steps:
  - id: stage
    kind: run
    command: >-
      sh -c 'echo "FileNotFoundError: decoder.pt" >&2; exit 1'
remediations:
  - id: fix-it
    when: { exit_code: nonzero }
    then: { prompt: "Fix this error: {{excerpt}}" }
    max_attempts: 50
`;

describe('the turn budget', () => {
  let standin: MessagesStandin;
  beforeAll(async () => {
    standin = await startMessagesStandin({ session: { turns: [{ reply: [{ text: 'Done.' }], repeat: true }] } });
  });
  afterAll(() => standin.close());

  async function run(yaml: string) {
    const dir = tempDir();
    const file = join(dir, 'pb.yaml');
    writeFileSync(file, yaml);
    const { done } = labpilot(['--home', join(dir, 'home'), 'run', file, '--workdir', join(dir, 'ws'), '--json'], {
      ANTHROPIC_API_KEY: 'sk-ant-test-key-000000000000000000',
      ANTHROPIC_BASE_URL: standin.url,
    });
    const result = await done;
    return { code: result.code, stderr: result.stderr, events: parseEvents(result.stdout) };
  }

  it.each([
    ['a prompt step whose remediation re-judges it', PROMPT_LOOP],
    ['a run step whose remediation reruns it', RUN_LOOP],
  ])('stops %s with the budget as the reason', async (_what, yaml) => {
    const before = standin.requests.length;
    const { code, events } = await run(yaml);
    const turns = ofType(events, 'agent_turn_ended');
    expect(turns.length).toBeGreaterThanOrEqual(2);
    expect(turns.length).toBeLessThanOrEqual(3);
    expect(standin.requests.length - before).toBe(turns.length);
    expect(ofType(events, 'remediation_chosen').length).toBeGreaterThanOrEqual(1);
    expect(events.at(-1)).toMatchObject({ type: 'run_ended', verdict: 'budget_exhausted', reason: 'turn budget spent (2 of 2)' });
    expect(code).toBe(1);
  });
});
