import { describe, expect, it } from 'vitest';
import type { Event } from '../events/schema.js';
import { createNotifier } from './notify.js';

const at = { seq: 0, ts: '2026-01-01T00:00:00.000Z' };
const started = (mode: 'interactive' | 'autopilot'): Event => ({ ...at, type: 'run_started', runId: 'r1', playbook: 'pb', playbookPath: '/pb.yaml', playbookHash: 'h', vars: {}, mode, workspace: '/w', branch: 'b', agent: 'anthropic', model: 'm' });
const proposed: Event = { ...at, type: 'prompt_proposed', promptId: 'p2', step: 'smoke', origin: 'remediation', remediation: 'cuda-oom', text: 'Fix it.' };
const ended: Event = { ...at, type: 'run_ended', verdict: 'failed', reason: 'smoke failed' };

function collect(mode: 'interactive' | 'autopilot') {
  const bodies: string[] = [];
  let bells = '';
  const n = createNotifier({ url: 'http://hook', bell: true, out: { write: (s: string) => ((bells += s), true) } as never, post: async (_u, b) => void bodies.push(b) });
  for (const e of [started(mode), proposed, ended]) n(e);
  return { bodies, bells, settled: n.settled() };
}

describe('notifications', () => {
  it('interactive: rings and posts when a prompt awaits the person and when the run ends', async () => {
    const c = collect('interactive');
    await c.settled;
    expect(c.bells).toBe('\x07\x07');
    expect(c.bodies.map((b) => JSON.parse(b))).toEqual([
      { text: 'labpilot run r1 (pb) waits for you: approve, edit or skip prompt p2 at step smoke' },
      { text: 'labpilot run r1 (pb) ended: failed: smoke failed' },
    ]);
  });

  it('autopilot: nobody is waited for, only the end is told', async () => {
    const c = collect('autopilot');
    await c.settled;
    expect(c.bodies.map((b) => JSON.parse(b).text)).toEqual(['labpilot run r1 (pb) ended: failed: smoke failed']);
  });

  it('a webhook that fails is reported once and does not throw', async () => {
    let err = '';
    const n = createNotifier({ url: 'http://hook', err: { write: (s: string) => ((err += s), true) } as never, post: () => Promise.reject(new Error('HTTP 500')) });
    n(started('interactive'));
    n(proposed);
    n(ended);
    await n.settled();
    expect(err).toBe('labpilot: --notify http://hook failed: HTTP 500\n');
  });
});
