import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventBus } from './bus.js';
import { EventLogWriter, readEventLog } from './log.js';
import { Redactor } from './redact.js';
import { InputError, exitCodeOf } from '../errors.js';

/** A five-event log written the way a run writes it; returns its path and lines. */
function writtenLog(): { path: string; lines: string[] } {
  const path = join(mkdtempSync(join(tmpdir(), 'labpilot-log-')), 'events.jsonl');
  const writer = new EventLogWriter(path);
  const bus = new EventBus({ now: () => 0 }, new Redactor({}), writer);
  for (let i = 0; i < 5; i++) bus.emit({ type: 'notice', level: 'info', message: `event ${i}` });
  writer.close();
  return { path, lines: readFileSync(path, 'utf8').split('\n').slice(0, -1) };
}

const rewrite = (path: string, lines: string[]) => writeFileSync(path, lines.join('\n') + '\n');

describe('the run log chain', () => {
  it('numbers each event after its predecessor and reads back whole', async () => {
    const { path } = writtenLog();
    const { events, chain } = await readEventLog(path);
    expect(events.map((e) => [e.seq, e.prev])).toEqual([[0, undefined], [1, 0], [2, 1], [3, 2], [4, 3]]);
    expect(chain).toBe(events.at(-1)!.hash);
  });

  it('continues across a writer that reopens the log (resume)', async () => {
    const { path } = writtenLog();
    const { chain } = await readEventLog(path);
    const writer = new EventLogWriter(path, chain);
    new EventBus({ now: () => 0 }, new Redactor({}), writer, 5).emit({ type: 'notice', level: 'info', message: 'after resume' });
    writer.close();
    expect((await readEventLog(path)).events).toHaveLength(6);
  });

  it.each([
    ['a deleted line', (l: string[]) => [...l.slice(0, 2), ...l.slice(3)], 3, /1 event\(s\) missing/],
    ['a duplicated line', (l: string[]) => [...l.slice(0, 3), l[2]!, ...l.slice(3)], 4, /duplicated or reordered/],
    ['swapped lines', (l: string[]) => [l[0]!, l[2]!, l[1]!, ...l.slice(3)], 2, /missing|reordered/],
    ['an edited line', (l: string[]) => l.map((x, i) => (i === 3 ? x.replace('event 3', 'event 9') : x)), 4, /does not follow/],
    ['a hash dropped from one line', (l: string[]) => l.map((x, i) => (i === 1 ? x.replace(/,"hash":"[0-9a-f]+"/, '') : x)), 2, /lacks the hash/],
  ])('reports %s with its line, exit 2', async (_what, change, line, message) => {
    const { path, lines } = writtenLog();
    rewrite(path, change(lines));
    const err = await readEventLog(path).then(
      () => undefined,
      (e: unknown) => e as Error & { exitCode: number },
    );
    expect(err?.exitCode).toBe(2);
    expect(err?.message).toMatch(new RegExp(`events\\.jsonl:${line}: `));
    expect(err?.message).toMatch(message);
  });

  it('tolerates a torn last line, and not a torn line before it', async () => {
    const { path, lines } = writtenLog();
    rewrite(path, [...lines.slice(0, 4), lines[4]!.slice(0, 30)]);
    expect(await readEventLog(path)).toMatchObject({ tornTail: true, events: expect.any(Array) });
    rewrite(path, [lines[0]!.slice(0, 30), ...lines.slice(1)]);
    await expect(readEventLog(path)).rejects.toThrow(/events\.jsonl:1: not JSON/);
  });
});

describe('a run log that cannot be read', () => {
  it('is bad input located at the log, not an internal error', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'labpilot-log-')), 'events.jsonl');
    mkdirSync(path);
    const err = await readEventLog(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(exitCodeOf(err)).toBe(2);
    expect((err as Error).message).toBe(`${path}: cannot read the run log (EISDIR)`);
  });
});
