import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIStandin, type OpenAIStandin } from '../../src/standin/openai-server.js';
import { loadSession, type ScriptedSessionInput } from '../../src/standin/session-schema.js';
import { type CliResult, gitRepoFrom, labpilot, ofType, parseEvents, ROOT, tempDir } from '../helpers/cli.js';

/**
 * `--agent langchain:openai` end to end: the real binary, LangChain's ChatOpenAI over real HTTP
 * to the chat completions stand-in, playing the same session as the Anthropic runs. Transient
 * faults let the run pass; a persistent one stops it (exit 4) and `labpilot resume` finishes it
 * with the same backend.
 */

const PLAYBOOK = join(ROOT, 'playbooks', 'fix-failing-test.yaml');
const healthy = loadSession(join(ROOT, 'playbooks', 'sessions', 'fix-failing-test.yaml'));
const standins: OpenAIStandin[] = [];
afterAll(async () => {
  for (const s of standins) await s.close();
});


async function cli(args: string[], session: ScriptedSessionInput, home: string) {
  const standin = await startOpenAIStandin({ session });
  standins.push(standin);
  const env = {
    OPENAI_API_KEY: 'sk-openai-fault-test-0000000000000000',
    OPENAI_BASE_URL: `${standin.url}/v1`,
    ANTHROPIC_API_KEY: '',
    LABPILOT_API_TIMEOUT_MS: '1000',
    LABPILOT_API_RETRIES: '1',
  };
  const result: CliResult = await labpilot(['--home', home, ...args, '--json'], env, home).done;
  return { result, events: parseEvents(result.stdout), standin };
}

const withFaults = (faults: Record<string, object>): ScriptedSessionInput => ({
  turns: healthy.turns.map((t) => (t.id && faults[t.id] ? { ...t, fault: faults[t.id] } : t)),
});
const runArgs = (repo: string) => ['run', PLAYBOOK, '--var', `repo=${repo}`, '--agent', 'langchain:openai', '--model', 'gpt-4o-mini'];

let transient: Awaited<ReturnType<typeof cli>>;
let first: Awaited<ReturnType<typeof cli>>;
let resumed: Awaited<ReturnType<typeof cli>>;

beforeAll(async () => {
  const faults = { 'run-tests': { status: 500 }, 'read-code': { torn: true }, 'fix-add': { malformed: true }, confirm: { stall: true } };
  const persistentHome = tempDir('lc-faults-home-');
  [transient, first] = await Promise.all([
    cli(runArgs(gitRepoFrom(join(ROOT, 'templates', 'calc-repo'))), withFaults(faults), tempDir('lc-faults-home-')),
    cli(runArgs(gitRepoFrom(join(ROOT, 'templates', 'calc-repo'))), withFaults({ 'run-tests': { status: 500, times: 50 } }), persistentHome),
  ]);
  const runId = ofType(first.events, 'run_started')[0]!.runId;
  resumed = await cli(['resume', runId], healthy, persistentHome);
}, 120_000);

describe('langchain:openai through the binary', () => {
  it('fixes the repository through transient faults, with the same tools and events', () => {
    expect(transient.result.code, transient.result.stderr).toBe(0);
    expect(transient.events.at(-1)).toMatchObject({ type: 'run_ended', verdict: 'passed' });
    expect(ofType(transient.events, 'run_started')[0]).toMatchObject({ agent: 'langchain:openai', model: 'gpt-4o-mini' });
    expect(ofType(transient.events, 'tool_call').map((e) => e.name)).toEqual(['bash', 'read_file', 'edit_file', 'edit_file', 'write_file']);
    expect(ofType(transient.events, 'notice').filter((e) => e.level === 'warn').length).toBeGreaterThanOrEqual(4);
    const turns = ofType(transient.events, 'agent_turn_ended');
    expect(turns.every((t) => t.usage.inputTokens > 0 && t.costUsd > 0)).toBe(true);
  });

  it('stops on a persistent fault with exit 4, and resume finishes with the same backend', () => {
    expect(first.result.code).toBe(4);
    expect(first.result.stderr).toMatch(/resume with: labpilot resume \S+/);
    expect(resumed.result.code, resumed.result.stderr).toBe(0);
    expect(resumed.events.at(-1)).toMatchObject({ type: 'run_ended', verdict: 'passed' });
    expect(resumed.standin.requests.length).toBeGreaterThan(3);
  });
});
