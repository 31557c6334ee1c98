import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startMessagesStandin, type MessagesStandin } from '../../src/standin/messages-server.js';
import { loadSession } from '../../src/standin/session-schema.js';
import { gitRepoFrom, labpilot, ofType, parseEvents, ROOT, tempDir } from '../helpers/cli.js';

/**
 * Where the OS sandbox cannot start (here: bubblewrap named by LABPILOT_BWRAP does not exist),
 * labpilot gives the agent no shell: the run stops before anything is created, exit 3, one
 * line. `--no-sandbox` is the person's explicit choice, and it is shown wherever the run is.
 */

const PLAYBOOK = join(ROOT, 'playbooks', 'fix-failing-test.yaml');
const NO_BWRAP = { LABPILOT_BWRAP: '/nonexistent/bwrap', ANTHROPIC_API_KEY: 'sk-ant-sandbox-choice-test' };
const standins: MessagesStandin[] = [];
afterAll(async () => {
  for (const s of standins) await s.close();
});

describe('a run where the OS sandbox cannot start', () => {
  it('stops with one line naming the sandbox and --no-sandbox, exit 3, nothing created', async () => {
    const home = tempDir();
    const repo = gitRepoFrom(join(ROOT, 'templates', 'calc-repo'));
    const r = await labpilot(['--home', home, 'run', PLAYBOOK, '--var', `repo=${repo}`], NO_BWRAP).done;
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/OS sandbox cannot start: .*bubblewrap.*--no-sandbox/)]);
    expect(existsSync(join(home, 'runs')) ? readdirSync(join(home, 'runs')) : []).toEqual([]);
  });

  it('runs with --no-sandbox, and the log, the console header, the summary and the report say the sandbox was off', async () => {
    const standin = await startMessagesStandin({ session: loadSession(join(ROOT, 'playbooks', 'sessions', 'fix-failing-test.yaml')) });
    standins.push(standin);
    const home = tempDir();
    const repo = gitRepoFrom(join(ROOT, 'templates', 'calc-repo'));
    const env = { ...NO_BWRAP, ANTHROPIC_BASE_URL: standin.url };
    const plain = await labpilot(['--home', home, 'run', PLAYBOOK, '--var', `repo=${repo}`, '--no-sandbox'], env).done;
    expect(plain.code).toBe(0);
    const lines = plain.stdout.trim().split('\n');
    expect(lines[1]).toMatch(/^sandbox: off \(--no-sandbox\)/);
    expect(lines.slice(-3).join('\n')).toMatch(/^sandbox: off \(--no-sandbox\)/m);
    const runId = readdirSync(join(home, 'runs'))[0]!;
    const events = parseEvents(readFileSync(join(home, 'runs', runId, 'events.jsonl'), 'utf8'));
    expect(ofType(events, 'run_started')[0]?.sandbox).toMatchObject({ enabled: false, detail: expect.stringContaining('--no-sandbox') });
    const report = await labpilot(['--home', home, 'report', runId]).done;
    expect(report.code).toBe(0);
    expect(readFileSync(join(home, 'runs', runId, 'report.md'), 'utf8')).toMatch(/Sandbox: off \(--no-sandbox\)/);
  });
});
