import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunStore } from './store.js';

describe('a run lock', () => {
  const store = new RunStore(mkdtempSync(join(tmpdir(), 'labpilot-store-')));
  const paths = store.create('r1');

  it('shows the run live while its process holds it, and not after', () => {
    const unlock = store.lock('r1');
    expect(store.isLive('r1')).toBe(true);
    unlock();
    expect(store.isLive('r1')).toBe(false);
  });

  it('is stale when its pid now belongs to another process (another start time)', () => {
    writeFileSync(paths.lock, `${process.pid} 1`);
    expect(store.isLive('r1')).toBe(false);
  });

  it('is stale when empty or not a pid', () => {
    for (const text of ['', '\n', 'garbage', '-5', '1']) {
      writeFileSync(paths.lock, text);
      expect(store.isLive('r1')).toBe(false);
    }
  });
});

describe('the run list', () => {
  it('lists a run with a damaged log as damaged, with where, beside the others', async () => {
    const store = new RunStore(mkdtempSync(join(tmpdir(), 'labpilot-store-')));
    const bad = store.create('r-bad');
    writeFileSync(bad.log, '{"type":"notice","seq":0,"ts":"x","level":"info","message":"a"}\n{"type":"notice","seq":5,"ts":"x","level":"info","message":"b"}\n');
    const good = store.create('r-good');
    writeFileSync(good.log, '');
    const list = await store.summaries();
    expect(list.map((r) => [r.id, r.status])).toEqual([
      ['r-bad', 'damaged'],
      ['r-good', 'interrupted'],
    ]);
    expect(list[0]!.reason).toMatch(/events\.jsonl:2: .*missing/);
  });
});
