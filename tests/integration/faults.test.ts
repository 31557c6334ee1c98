import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Event } from '../../src/events/schema.js';
import { startMessagesStandin, type MessagesStandin } from '../../src/standin/messages-server.js';
import { loadSession, type Fault, type ScriptedSessionInput } from '../../src/standin/session-schema.js';
import { type CliResult, gitRepoFrom, labpilot, ofType, parseEvents, ROOT, tempDir } from '../helpers/cli.js';

/**
 * Faults of the Messages API, through the real binary and the real SDK: transient ones (each
 * turn of the session meets a different one) let the run pass; persistent ones stop it with
 * exit code 4 and its log intact, and `labpilot resume` finishes it once the API is healthy.
 */

const PLAYBOOK = join(ROOT, 'playbooks', 'fix-failing-test.yaml');
const SESSION = join(ROOT, 'playbooks', 'sessions', 'fix-failing-test.yaml');
const healthy = loadSession(SESSION);
/** Short waits so that timeouts and stalls are met in seconds; one SDK retry per request. */
const FAST = { LABPILOT_API_TIMEOUT_MS: '1000', LABPILOT_API_RETRIES: '1' };

const standins: MessagesStandin[] = [];
afterAll(async () => {
  for (const s of standins) await s.close();
});


async function cli(args: string[], session: ScriptedSessionInput, home: string) {
  const standin = await startMessagesStandin({ session });
  standins.push(standin);
  const env = { ANTHROPIC_API_KEY: 'sk-ant-fault-test-0000000000000000', ANTHROPIC_BASE_URL: standin.url, ...FAST };
  const result: CliResult = await labpilot(['--home', home, ...args, '--json'], env, home).done;
  return { result, events: parseEvents(result.stdout), standin };
}

/** The healthy session with faults on some turns, by turn id. */
const withFaults = (faults: Record<string, Fault | Omit<Fault, 'times' | 'retryAfterMs'>>): ScriptedSessionInput => ({
  turns: healthy.turns.map((t) => (t.id && faults[t.id] ? { ...t, fault: faults[t.id] } : t)),
});

const TRANSIENT = {
  'run-tests': { status: 429 },
  'read-code': { status: 500 },
  'fix-add': { status: 529 },
  'done-too-early': { torn: true },
  'fix-multiply': { malformed: true },
  confirm: { timeout: true },
  done: { stall: true },
} as const;

describe('transient faults on every turn', () => {
  let run: Awaited<ReturnType<typeof cli>>;
  beforeAll(async () => {
    const repo = gitRepoFrom(join(ROOT, 'templates', 'calc-repo'));
    run = await cli(['run', PLAYBOOK, '--var', `repo=${repo}`], withFaults(TRANSIENT), tempDir('faults-home-'));
  }, 90_000);

  it('the run passes as if nothing had happened', () => {
    expect(run.result.code).toBe(0);
    expect(run.events.at(-1)).toMatchObject({ type: 'run_ended', verdict: 'passed' });
    expect(run.standin.remaining()).toBe(0);
  });

  it('each fault left a notice in the log', () => {
    const notices = ofType(run.events, 'notice').map((e) => e.message);
    for (const re of [/answered 429/, /answered 500/, /answered 529/, /broke off/, /broke off \(.*JSON/, /broke off \(no data for 1s\)/]) {
      expect(notices.some((m) => re.test(m)), `${re}`).toBe(true);
    }
  });
});

const PERSISTENT: Array<[string, Fault | Omit<Fault, 'times' | 'retryAfterMs'>]> = [
  ['529 overloaded', { status: 529, times: 50 }],
  ['a torn stream', { torn: true, times: 50 }],
  ['malformed JSON', { malformed: true, times: 50 }],
  ['no answer (timeout)', { timeout: true, times: 50 }],
];

interface Chain {
  first: Awaited<ReturnType<typeof cli>>;
  logAfterFirst: Event[];
  resumed: Awaited<ReturnType<typeof cli>>;
  runId: string;
}
const chains = new Map<string, Chain>();

/** Run, read the log as the stopped run left it, then resume against a healthy API. */
async function stopAndResume(fault: Fault | Omit<Fault, 'times' | 'retryAfterMs'>): Promise<Chain> {
  const home = tempDir('faults-home-');
  const repo = gitRepoFrom(join(ROOT, 'templates', 'calc-repo'));
  const first = await cli(['run', PLAYBOOK, '--var', `repo=${repo}`], withFaults({ 'run-tests': fault }), home);
  const runId = ofType(first.events, 'run_started')[0]!.runId;
  const log = join(home, 'runs', runId, 'events.jsonl');
  const logAfterFirst = existsSync(log) ? parseEvents(readFileSync(log, 'utf8')) : [];
  const resumed = await cli(['resume', runId], healthy, home);
  return { first, logAfterFirst, resumed, runId };
}

beforeAll(async () => {
  // The chains are independent: run them side by side.
  const done = await Promise.all(PERSISTENT.map(async ([name, fault]) => [name, await stopAndResume(fault)] as const));
  for (const [name, chain] of done) chains.set(name, chain);
}, 120_000);

describe.each(PERSISTENT)('a persistent fault: %s', (name) => {
  const chain = () => chains.get(name)!;

  it('stops the run with exit code 4, naming the way to resume', () => {
    const { first, runId } = chain();
    expect(first.result.code).toBe(4);
    expect(first.result.stderr).toContain(`resume with: labpilot resume ${runId}`);
    expect(ofType(first.events, 'run_ended')).toEqual([]);
    expect(ofType(first.events, 'notice').some((e) => e.level === 'error' && e.message.startsWith('agent turn failed'))).toBe(true);
  });

  it('keeps its state on disk: the log holds every event that was printed', () => {
    const { first, logAfterFirst } = chain();
    expect(logAfterFirst.map((e) => e.seq)).toEqual(first.events.map((e) => e.seq));
    expect(logAfterFirst.some((e) => e.type === 'prompt_sent')).toBe(true);
  });

  it('labpilot resume finishes it once the API answers', () => {
    const { first, resumed, runId } = chain();
    expect(resumed.result.code, resumed.result.stderr).toBe(0);
    expect(resumed.events[0]).toMatchObject({ type: 'run_resumed', runId });
    expect(resumed.events.at(-1)).toMatchObject({ type: 'run_ended', verdict: 'passed' });
    // The turn the fault cut short goes on: its prompt is in the conversation, not sent again,
    // and that turn is the first to end; nothing before it is redone.
    const cut = ofType(first.events, 'prompt_sent')[0]!.promptId;
    expect(ofType(resumed.events, 'prompt_sent').map((e) => e.promptId)).not.toContain(cut);
    expect(ofType(resumed.events, 'agent_turn_ended')[0]).toMatchObject({ promptId: cut });
    expect(ofType(resumed.events, 'run_started')).toEqual([]);
  });
});
