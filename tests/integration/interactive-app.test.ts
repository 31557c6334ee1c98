import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { cleanup, render } from 'ink-testing-library';
import { startMessagesStandin, type MessagesStandin } from '../../src/standin/messages-server.js';
import type { ScriptedSessionInput } from '../../src/standin/session-schema.js';
import { runCommand } from '../../src/commands/run.js';
import { resumeCommand } from '../../src/commands/resume.js';
import { openAppView } from '../../src/ui/launch.js';
import { readEventLog } from '../../src/runs/log.js';
import { RunStore, summarise } from '../../src/runs/store.js';
import { RunInterrupted } from '../../src/errors.js';
import type { Event, EventOf } from '../../src/events/schema.js';
import { ROOT, gitRepoFrom, tempDir } from '../helpers/cli.js';
import { KEY, rig, type Rig } from './interactive-rig.js';

/**
 * The whole terminal app on a real run: the real engine, runner, Anthropic SDK over HTTP to the
 * Messages API stand-in, python's unittest in a cloned repository. The person is played through
 * the keyboard; what they decided must be in the run log.
 */
const PLAYBOOK = join(ROOT, 'playbooks', 'fix-failing-test.yaml');
const SESSION = join(ROOT, 'playbooks', 'sessions', 'fix-failing-test.yaml');

let standin: MessagesStandin;
beforeAll(async () => {
  standin = await startMessagesStandin({ session: SESSION });
});
afterAll(() => standin.close());
afterEach(cleanup);

/** A fresh stand-in per run: the scripted session is consumed turn by turn. */
async function session(script: ScriptedSessionInput | string) {
  await standin.close();
  standin = await startMessagesStandin({ session: script });
  return standin;
}

// An agent that answers slowly: its reply streams one SSE event a second.
const SLOW: ScriptedSessionInput = {
  turns: [{ when: 'Make the failing tests pass', reply: [{ text: 'Let me think about this for a long while before I touch anything.' }], delayMs: 1000 }],
};

async function interactiveRun(script: ScriptedSessionInput | string = SESSION) {
  const s = await session(script);
  const home = tempDir();
  let screen!: Rig;
  const view = openAppView({
    mode: 'interactive',
    env: {},
    mount: (app) => {
      const instance = render(app);
      screen = rig(instance);
      return instance;
    },
  });
  const env = { ...process.env, ANTHROPIC_API_KEY: 'sk-ant-test-key-000000000000000000', ANTHROPIC_BASE_URL: s.url };
  const done = runCommand({ playbook: PLAYBOOK, vars: [`repo=${gitRepoFrom(join(ROOT, 'templates', 'calc-repo'))}`], home, env, view });
  // Keep the outcome for the test to await; a rejection is examined there.
  done.catch(() => {});
  const log = async () => (await readEventLog(new RunStore(home).paths(runIdOf(screen.frame())).log)).events;
  return { screen, done, home, env, log, standin: s };
}

/** Waits for the remediation prompt p2, aborts the run there (x, then y) and waits for its end. */
async function abortAtRemediation(screen: Rig, done: Promise<unknown>): Promise<void> {
  await screen.waitFor('wants to send prompt p2', 30_000);
  await screen.press('x');
  await screen.waitFor('Abort the run?');
  await screen.press('y');
  await done;
}

const runIdOf = (frame: string) => /run (\d{8}-\d{6}-\w+)/.exec(frame)![1]!;
const decisions = (events: Event[]) =>
  events.filter((e): e is EventOf<'decision'> => e.type === 'decision').map(({ ref, verdict, by, text }) => ({ ref, verdict, by, text }));

describe('the terminal app driving a real run', () => {
  it('approve, then edit a remediation prompt in place: both decisions are logged and the agent gets the edited text', async () => {
    const { screen, done, log, standin } = await interactiveRun();
    await screen.waitFor('labpilot wants to send prompt p1 (step), step fix');
    await screen.press('a');
    let f = await screen.waitFor('labpilot wants to send prompt p2 (remediation assertion-failed)');
    expect(f).toContain('matched: AssertionError: 5 != 6');
    expect(f).toMatch(/why: assertion-failed/);
    await screen.press('e');
    await screen.waitFor('Edit prompt p2');
    await screen.press(KEY.enter);
    await screen.type('Keep add() as it is.');
    await screen.waitFor('Keep add() as it is.');
    await screen.press(KEY.ctrlS);
    f = await screen.waitFor('run ended: passed', 30_000);
    expect(f).toContain('checklist: 2 verified, 0 failed, 0 pending');
    expect((await done).code).toBe(0);
    const events = await log();
    const [approved, edited] = decisions(events);
    expect(approved).toEqual({ ref: 'p1', verdict: 'approve', by: 'human', text: undefined });
    expect(edited).toMatchObject({ ref: 'p2', verdict: 'edit', by: 'human' });
    expect(edited!.text).toMatch(/Do not change `test_calc.py`\.\n+Keep add\(\) as it is\.$/);
    expect(events.find((e) => e.type === 'prompt_sent' && e.promptId === 'p2')).toMatchObject({ text: edited!.text });
    expect(JSON.stringify(standin.requests.at(-1)!.messages)).toContain('Keep add() as it is.');
  });

  it('skip, then abort after confirming: the run ends aborted and both decisions are logged', async () => {
    const { screen, done, log } = await interactiveRun();
    await screen.waitFor('wants to send prompt p1');
    await screen.press('s');
    // Skipped, the fix step is judged as it stands; the tests still fail and the remediation fires.
    await screen.waitFor('wants to send prompt p2 (remediation assertion-failed)', 30_000);
    await screen.press('x');
    await screen.waitFor('Abort the run? y to abort');
    await screen.press('y');
    await screen.waitFor('run ended: aborted');
    expect((await done).code).toBe(1);
    expect(decisions(await log())).toEqual([
      { ref: 'p1', verdict: 'skip', by: 'human', text: undefined },
      { ref: 'p2', verdict: 'abort', by: 'human', text: undefined },
    ]);
  });

  it('a note and a switch to autopilot mid-run are logged; the note goes with the next prompt', async () => {
    const { screen, done, log, standin } = await interactiveRun();
    await screen.waitFor('wants to send prompt p1');
    await screen.write('p', 'Note to the agent', 'Run the tests before you answer.');
    await screen.waitFor(/Run the tests before you answer\.[^\n]*\n[^\n]*\[a\/Enter\] approve/);
    await screen.press('m');
    await screen.waitFor('run ended: passed', 30_000);
    expect((await done).code).toBe(0);
    const events = await log();
    expect(decisions(events).map(({ ref, verdict, by }) => [ref, verdict, by])).toEqual([
      ['p1', 'edit', 'policy'],
      ['p2', 'approve', 'policy'],
    ]);
    expect(decisions(events)[0]!.text).toMatch(/Make the failing tests pass[\s\S]*\n\nRun the tests before you answer\.$/);
    const notices = events.filter((e): e is EventOf<'notice'> => e.type === 'notice').map((e) => e.message);
    expect(notices).toEqual(['note for the agent, sent with the next prompt: Run the tests before you answer.', 'mode switched to autopilot by the person']);
    expect(JSON.stringify(standin.requests[0]!.messages)).toContain('Run the tests before you answer.');
  });

  it('replace, then Ctrl-C twice: the run stops resumable and resumes to a pass', async () => {
    const { screen, done, log, home, env } = await interactiveRun();
    await screen.waitFor('wants to send prompt p1');
    await screen.write('r', 'Replace prompt p1 (step) with your own', 'Make the failing tests pass; change only calc.py.');
    await screen.waitFor('wants to send prompt p2', 30_000);
    const runId = runIdOf(screen.frame());
    await screen.press(KEY.ctrlC);
    await screen.waitFor('Press Ctrl-C again');
    await screen.press(KEY.ctrlC);
    await expect(done).rejects.toThrow(RunInterrupted);
    await expect(done).rejects.toThrow(`labpilot resume ${runId}`);
    const events = await log();
    expect(decisions(events)).toEqual([{ ref: 'p1', verdict: 'replace', by: 'human', text: 'Make the failing tests pass; change only calc.py.' }]);
    expect(events.at(-1)).toMatchObject({ type: 'notice', message: 'the person quit; the run stays resumable' });
    expect(summarise(runId, events, new RunStore(home).isLive(runId)).status).toBe('interrupted');
    const resumed = await resumeCommand({ runId, home, env, out: new PassThrough() });
    expect(resumed.code).toBe(0);
    expect(decisions(await log()).map((d) => [d.ref, d.verdict, d.by])).toEqual([
      ['p1', 'replace', 'human'],
      ['p2', 'approve', 'policy'],
    ]);
  });

  it('Esc ends the agent’s turn early through the agent’s abort and asks what to tell it; the interruption is logged', async () => {
    const { screen, done, log } = await interactiveRun(SLOW);
    await screen.waitFor('wants to send prompt p1');
    await screen.press('a');
    await screen.waitFor('agent working');
    await screen.press(KEY.escape);
    // Asked what the agent should do instead; Esc again says nothing.
    await screen.waitFor('What should the agent do instead?');
    await screen.press(KEY.escape);
    // The turn ends at once instead of streaming on; the run goes on to verify, which fails.
    await abortAtRemediation(screen, done);
    const events = await log();
    const interrupted = events.findIndex((e) => e.type === 'notice' && e.message === 'the person interrupted the agent’s turn');
    expect(interrupted).toBeGreaterThan(0);
    expect(events.slice(interrupted).find((e) => e.type === 'agent_turn_ended')).toMatchObject({ promptId: 'p1', stopReason: 'aborted' });
  });

  it('p during the agent’s turn sends the person’s own prompt as a turn of its own once that turn ends', async () => {
    const script: ScriptedSessionInput = { turns: [...SLOW.turns, { when: 'Also explain', reply: [{ text: 'Noted: I will explain each change.' }] }] };
    const { screen, done, log, standin } = await interactiveRun(script);
    await screen.waitFor('wants to send prompt p1');
    await screen.press('a');
    await screen.waitFor('agent working');
    await screen.write('p', 'Prompt to the agent', 'Also explain what you changed.');
    await abortAtRemediation(screen, done);
    const events = await log();
    const order = events.filter((e) => ['prompt_sent', 'agent_turn_ended', 'command_started'].includes(e.type)).map((e) => ('promptId' in e ? `${e.type}:${e.promptId}` : e.type));
    expect(order.slice(0, 5)).toEqual(['prompt_sent:p1', 'agent_turn_ended:p1', 'prompt_sent:u2', 'agent_turn_ended:u2', 'command_started']);
    expect(events.find((e): e is EventOf<'prompt_sent'> => e.type === 'prompt_sent' && e.promptId === 'u2')!.text).toBe('Also explain what you changed.');
    expect(events.filter((e): e is EventOf<'budget_spent'> => e.type === 'budget_spent').at(-1)!.turns).toBe(2);
    expect(standin.requests.some((r) => JSON.stringify(r.messages).includes('Also explain what you changed.'))).toBe(true);
  });
});
