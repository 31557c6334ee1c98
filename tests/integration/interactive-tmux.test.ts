import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { startMessagesStandin, type MessagesStandin } from '../../src/standin/messages-server.js';
import { readEventLog } from '../../src/runs/log.js';
import { RunStore } from '../../src/runs/store.js';
import { BIN, ROOT, gitRepoFrom, tempDir } from '../helpers/cli.js';
import { shellQuote } from '../../src/playbook/template.js';
import { hasTmux, tmuxOn } from '../helpers/tmux.js';

/**
 * The real binary in a real terminal: tmux gives it a pty, the test types with send-keys and
 * reads the screen with capture-pane. A person edits the remediation prompt and approves it;
 * the Messages API stand-in must receive the edited text.
 */
const SOCKET = `labpilot-test-${process.pid}`;
const tmux = tmuxOn(SOCKET);
const screen = () => tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', 'lp');
const keys = (...k: string[]) => tmux('send-keys', '-t', 'lp', ...k);
const typed = (text: string) => tmux('send-keys', '-t', 'lp', '-l', text);
const waitFor = (text: string | RegExp, timeout = 30_000) =>
  vi.waitFor(
    () => {
      const s = screen();
      if (!(typeof text === 'string' ? s.includes(text) : text.test(s))) throw new Error(`screen does not show ${String(text)}:\n${s}`);
      return s;
    },
    { timeout, interval: 100 },
  );

describe.skipIf(!hasTmux)('labpilot run --mode interactive in tmux', () => {
  let standin: MessagesStandin;
  const home = tempDir();

  beforeAll(async () => {
    standin = await startMessagesStandin({ session: join(ROOT, 'playbooks', 'sessions', 'fix-failing-test.yaml') });
    const repo = gitRepoFrom(join(ROOT, 'templates', 'calc-repo'));
    // Ink draws only final frames when it believes it runs in CI; a person's terminal is not CI.
    const command = [
      'env -u CI -u CONTINUOUS_INTEGRATION',
      `ANTHROPIC_API_KEY=sk-ant-test-key-000000000000000000 ANTHROPIC_BASE_URL=${standin.url}`,
      shellQuote(process.execPath),
      shellQuote(BIN),
      `--home ${shellQuote(home)} run ${shellQuote(join(ROOT, 'playbooks', 'fix-failing-test.yaml'))}`,
      `--var repo=${shellQuote(repo)} --mode interactive; echo "exit=$?"; sleep 600`,
    ].join(' ');
    tmux('new-session', '-d', '-s', 'lp', '-x', '120', '-y', '50', command);
  });

  afterAll(async () => {
    try {
      tmux('kill-server');
    } catch {
      // Already gone.
    }
    await standin.close();
  });

  it('edits one remediation prompt in place, approves it, and the stand-in receives the edited text', async () => {
    await waitFor('labpilot wants to send prompt p1 (step), step fix');
    keys('a');
    await waitFor('labpilot wants to send prompt p2 (remediation assertion-failed)');
    expect(screen()).toContain('matched: AssertionError: 5 != 6');
    keys('e');
    await waitFor('Edit prompt p2');
    keys('Enter');
    typed('Leave add() alone; only multiply is wrong.');
    await waitFor('only multiply is wrong.');
    keys('C-s');
    const s = await waitFor('exit=0');
    expect(s).toContain('run ended: passed');
    const sent = standin.requests.map((r) => JSON.stringify(r.messages));
    expect(sent.some((m) => m.includes('Leave add() alone; only multiply is wrong.'))).toBe(true);
    const runId = /run (\d{8}-\d{6}-\w+)/.exec(s)![1]!;
    const { events } = await readEventLog(new RunStore(home).paths(runId).log);
    expect(events.filter((e) => e.type === 'decision').map((e) => e.type === 'decision' && [e.ref, e.verdict, e.by])).toEqual([
      ['p1', 'approve', 'human'],
      ['p2', 'edit', 'human'],
    ]);
  });
});
