import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMessagesStandin, type MessagesStandin } from '../../src/standin/messages-server.js';
import { KEYS } from '../../src/ui/help.js';
import { BIN, tempDir } from '../helpers/cli.js';
import { shellQuote } from '../../src/playbook/template.js';
import { hasTmux, tmuxOn } from '../helpers/tmux.js';

/**
 * The real binary in tmux at 80x24 and 160x48: a proposed prompt longer and wider than the
 * screen is readable in full (wrapped, scrolled, never cut), the keys stay in view, the help
 * overlay fits under the header, and a resize leaves no piece of the old frame.
 */
const SOCKET = `labpilot-sizes-${process.pid}`;
const tmux = tmuxOn(SOCKET);

/** 20 lines of 14 words, each word unique (`w0307` is line 3, word 7): about 110 columns a line. */
const WORDS = Array.from({ length: 20 }, (_, l) => Array.from({ length: 14 }, (_, w) => `w${String(l).padStart(2, '0')}${String(w).padStart(2, '0')}`));
const PROMPT = WORDS.map((ws) => `${ws.join(' ')} continued.`).join('\n');

function session(name: string, width: number, height: number, standin: MessagesStandin) {
  const dir = tempDir();
  const playbook = join(dir, 'long-prompt.yaml');
  writeFileSync(playbook, `name: long-prompt\nsteps:\n  - id: brief\n    kind: prompt\n    prompt: |\n${PROMPT.split('\n').map((l) => `      ${l}`).join('\n')}\n`);
  const command = [
    'env -u CI -u CONTINUOUS_INTEGRATION',
    `ANTHROPIC_API_KEY=sk-ant-test-key-000000000000000000 ANTHROPIC_BASE_URL=${standin.url}`,
    shellQuote(process.execPath),
    shellQuote(BIN),
    `--home ${shellQuote(join(dir, 'home'))} run ${shellQuote(playbook)} --workdir ${shellQuote(dir)} --mode interactive; echo "exit=$?"; sleep 600`,
  ].join(' ');
  tmux('new-session', '-d', '-s', name, '-x', String(width), '-y', String(height), command);
  /** The visible screen only: what the person sees now, not the scrollback. */
  const screen = () => tmux('capture-pane', '-p', '-t', name);
  const waitFor = (what: string | ((s: string) => boolean), timeout = 30_000) =>
    vi.waitFor(
      () => {
        const s = screen();
        if (!(typeof what === 'string' ? s.includes(what) : what(s))) throw new Error(`screen does not show ${String(what)}:\n${s}`);
        return s;
      },
      { timeout, interval: 100 },
    );
  const keys = (...k: string[]) => tmux('send-keys', '-t', name, ...k);
  return { screen, waitFor, keys };
}

/** Words of the proposal on a screen, from inside the approval box's border. */
const wordsOn = (s: string) => new Set(s.match(/\bw\d{4}\b/g) ?? []);
/** Every line of a border is whole: a corner at each end of a run of ─. */
const bordersWhole = (s: string) => s.split('\n').filter((l) => l.includes('──')).every((l) => /^\s*[╭╰][─]+[╮╯]\s*$/.test(l));

describe.skipIf(!hasTmux)('the terminal app at 80x24 and 160x48', () => {
  let standin: MessagesStandin;
  const dir = tempDir();

  beforeAll(async () => {
    const file = join(dir, 'session.yaml');
    writeFileSync(file, 'turns:\n  - id: ok\n    when: "w0000"\n    repeat: true\n    reply:\n      - text: "Read it all."\n');
    standin = await startMessagesStandin({ session: file });
  });

  afterAll(async () => {
    try {
      tmux('kill-server');
    } catch {
      // Already gone.
    }
    await standin.close();
  });

  it('80x24: the whole proposal is readable by scrolling, the keys and the header always in view', async () => {
    const t = session('small', 80, 24, standin);
    const first = await t.waitFor('[a/Enter] approve');
    expect(first).toContain('labpilot long-prompt');
    expect(first).toMatch(/lines 1-\d+ of \d+ · ↑↓ PgUp PgDn scroll/);
    const seen = new Set<string>();
    for (let page = 0; page < 12; page++) {
      const s = t.screen();
      // Every screen: the header's first line, the box whole, the keys at its bottom.
      expect(s).toContain('labpilot long-prompt');
      expect(s).toContain('[a/Enter] approve  [e] edit  [r] replace  [s] skip  [x] abort');
      expect(bordersWhole(s)).toBe(true);
      for (const w of wordsOn(s)) seen.add(w);
      if (seen.has('w1913')) break;
      t.keys('PageDown');
      await t.waitFor((x) => x !== s);
    }
    expect([...WORDS.flat()].filter((w) => !seen.has(w))).toEqual([]);

    t.keys('?');
    const help = await t.waitFor('show or hide these keys');
    expect(help).toContain('labpilot long-prompt');
    for (const [, what] of KEYS) expect(help).toContain(what);
    expect(help).toContain('? keys · p prompt');
    t.keys('?');
    await t.waitFor('[a/Enter] approve');
    t.keys('a');
    await t.waitFor('exit=0');
  });

  it('160x48: the whole proposal shows at once; shrinking to 80x24 redraws without pieces of the old frame', async () => {
    const t = session('large', 160, 48, standin);
    const s = await t.waitFor('[a/Enter] approve');
    expect(wordsOn(s).size).toBe(WORDS.flat().length);
    expect(s).not.toContain('PgUp PgDn scroll');
    tmux('resize-window', '-t', 'large', '-x', '80', '-y', '24');
    const after = await t.waitFor((x) => /lines 1-\d+ of \d+/.test(x));
    expect(after.split('\n').filter((l) => l.includes('labpilot wants to send'))).toHaveLength(1);
    expect(after.split('\n').filter((l) => l.includes('[a/Enter] approve'))).toHaveLength(1);
    expect(bordersWhole(after)).toBe(true);
    t.keys('a');
    await t.waitFor('exit=0');
  });
});
