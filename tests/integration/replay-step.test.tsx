import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup } from 'ink-testing-library';
import { ReplayApp } from '../../src/ui/replay-app.js';
import { loadWalk } from '../../src/ui/replay-load.js';
import { themeFor } from '../../src/ui/theme.js';
import { labpilot, tempDir } from '../helpers/cli.js';
import { mount } from './interactive-rig.js';

/**
 * `labpilot replay <run> --step` on the demo's run: the RSD playbook replayed on the recorded
 * answers, its own events stepped through, the smoke stage's CUDA OOM and checkpoint key error
 * reached with t.
 */
describe('labpilot replay <run> --step', () => {
  const home = tempDir();
  let log: string;
  let runId: string;

  beforeAll(async () => {
    const r = await labpilot(['--home', home, 'demo'], { ANTHROPIC_API_KEY: '' }).done;
    expect(r.code).toBe(0);
    [runId] = readdirSync(join(home, 'runs')) as [string];
    log = join(home, 'runs', runId, 'events.jsonl');
  }, 240_000);

  afterEach(cleanup);

  it('walks the replayed run and jumps with t to the OOM, then the checkpoint key error', async () => {
    const walk = await loadWalk({ file: log, format: 'labpilot', strict: false });
    expect(walk.note).toBeUndefined();
    const r = mount(<ReplayApp walk={walk} theme={themeFor({ NO_COLOR: '1' })} />);
    let f = await r.waitFor(`labpilot replay run ${runId} (replayed) · point 1 of ${walk.points.length}`);
    expect(f).toContain('event #0 run_started');
    await r.press('t');
    f = await r.waitFor('! cuda-oom (command output)');
    expect(f).toMatch(/^step smoke \(Smoke: 1 trial, speculative decoding off\) · phase command/m);
    expect(f).toMatch(/event #\d+ trigger_matched: trigger cuda-oom/);
    await r.press('t');
    f = await r.waitFor('! checkpoint-keys (command output)');
    expect(f).toMatch(/^step smoke \(Smoke: 1 trial, speculative decoding off\) attempt 2/m);
  });

  it('refuses without a terminal: exit 2 and one line on stderr', async () => {
    const r = await labpilot(['--home', home, 'replay', runId, '--step']).done;
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('labpilot: --step needs a terminal (stdout and stdin a TTY); drop --step to print the replay\n');
  });
});
