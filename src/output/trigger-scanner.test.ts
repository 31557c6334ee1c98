import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH_RULES, ensureNoiseLog } from '../../bench/generators/log-noise.js';
import { prng, randomCuts } from '../../tests/helpers/byte-chunks.js';
import { generateLog, pythonWithRich } from '../../tests/helpers/libero-logs.js';
import { type Found, everyLine, everySegment, playbookMatcher, richOutput, scanned } from '../../tests/helpers/trigger-reference.js';
import { type MatchRule, type Matcher, compileMatcher } from '../engine/matcher.js';
import type { NormaliserOptions } from './normaliser.js';

const FORMS = ['console', 'bare', 'logfile', 'rich', 'rich-default', 'dash', 'basic', 'rich-color', 'modal-timeout', 'modal-image', 'modal-image-timeout'];
const bench = compileMatcher(BENCH_RULES);
const rsd = await playbookMatcher();
const matchers: Array<[string, Matcher, NormaliserOptions]> = [
  ['rsd-phase3', rsd.matcher, rsd.opts],
  ['bench', bench, {}],
];
/** Logged through RichHandler at width 80, its rows break the rule's literal after "CUDA out of". */
const OOM_MESSAGE = 'Loading the draft model failed checkpoint_00016 with a CUDA out of memory. Tried to allocate 20.00 MiB on GPU 0';
let dir: string;
let python: string;
const logs = new Map<string, string>();

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'trigger-scanner-'));
  python = pythonWithRich();
  for (const form of FORMS) logs.set(form, generateLog(python, form, path.join(dir, `${form}.log`), ['--tasks', '4', '--trials', '6', '--seed', '3']));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The synthetic run output (a few MB, an error every ~40 lines), its whole lines up to `max` characters. */
function noiseLines(max: number): string {
  const text = readFileSync(ensureNoiseLog(path.join(dir, 'noise.log'), 3 << 20, 40), 'utf8');
  return text.length <= max ? text : text.slice(0, text.lastIndexOf('\n', max) + 1);
}

/**
 * The scanner finds what every line normalised and matched finds, however the bytes are cut:
 * whole, and in `chunkings` random chunkings (1 byte to 64 KiB, cut inside characters and "\r\n").
 */
function expectSameAsEveryLine(name: string, matcher: Matcher, text: string, opts: NormaliserOptions, seed: number, chunkings = 4): Found {
  const want = everyLine(matcher, text, opts);
  const bytes = Buffer.from(text);
  const r = prng(seed);
  const cutsList = [[bytes.length], ...Array.from({ length: chunkings }, () => randomCuts(bytes, r))];
  cutsList.forEach((cuts, chunking) => {
    const got = scanned(matcher, bytes, cuts, opts);
    expect({ name, seed, chunking, chunks: cuts.length, found: got }).toEqual({ name, seed, chunking, chunks: cuts.length, found: want });
  });
  return want;
}

/** Long lines by their length and ends, so a difference reads in a few lines. */
const brief = (found: Found) => found.map(([line, ids]) => [line.length, line.slice(0, 12), line.slice(-40), ids]);

describe('trigger scanner: the same lines as every line normalised and matched', () => {
  it('on the generated OpenVLA-OFT logs in every form (console, bare, Rich, ANSI colour, Modal)', () => {
    let seed = 10;
    for (const [name, matcher, opts] of matchers) {
      for (const form of FORMS) {
        const found = expectSameAsEveryLine(`${name} on ${form}`, matcher, logs.get(form)!, opts, seed++).length;
        // Each log holds episode errors or Modal's failures: the comparison is never of empty lists.
        expect({ name, form, found: found > 0 }).toEqual({ name, form, found: true });
      }
    }
  });

  it('on a few MB of synthetic run output with frequent errors, tqdm redraws and near-misses', () => {
    const text = noiseLines(Infinity);
    for (const [name, matcher, opts] of matchers) {
      expect(expectSameAsEveryLine(`${name} on noise`, matcher, text, opts, name.length, 3).length).toBeGreaterThan(100);
    }
  });

  it('with CRLF line ends', () => {
    const text = noiseLines(400_000).replace(/\n/g, '\r\n');
    const crlf = (form: string) => logs.get(form)!.replace(/\r?\n/g, '\r\n');
    for (const [name, matcher, opts] of matchers) {
      expect(expectSameAsEveryLine(`${name} on CRLF noise`, matcher, text, opts, 40).length).toBeGreaterThan(10);
      for (const form of ['console', 'rich', 'modal-timeout']) expectSameAsEveryLine(`${name} on CRLF ${form}`, matcher, crlf(form), opts, 41);
    }
  });
});

describe('trigger scanner: wrapped and decorated lines', () => {
  it("joins an error row Modal's console wrapped inside a rule's literal, after its first 11 bytes", () => {
    const matcher = compileMatcher([{ id: 'timeout', regex: 'hit its timeout of ([0-9]+)s' }]);
    // Padded so that Rich breaks its 80-column row right after "hit its timeout ".
    const raw = richOutput(python, 'print', [`modal.exception.FunctionTimeoutError: Task's input in-01JX7QH8P hit its timeout of 2700s`]);
    const rows = raw.split('\n');
    expect(rows[0]).toMatch(/hit its timeout $/);
    expect(rows[0]).toHaveLength(80);
    const text = `Starting episode 3...\n${raw}Success: False\n`;
    const want = expectSameAsEveryLine('modal wrap', matcher, text, {}, 50, 6);
    expect(want).toEqual([[`${rows[0]}${rows[1]}`, ['timeout']]]);
  });

  it('joins a Rich record whose message wraps onto indented continuation rows inside the literal', () => {
    const matcher = compileMatcher([{ id: 'oom', regex: 'CUDA out of memory\\. Tried to allocate ([0-9.]+ [KMG]iB)' }]);
    const raw = richOutput(python, 'log', ['Episode 1 started', OOM_MESSAGE, 'Episode 2 started']);
    // The literal is split across rows after its first 11 bytes ("CUDA out of").
    expect(raw).toMatch(/CUDA out of *\n +memory\. Tried/);
    const want = expectSameAsEveryLine('rich record', matcher, raw, {}, 51, 6);
    expect(want).toEqual([[OOM_MESSAGE, ['oom']]]);
  });

  it('joins a Rich record back from a hit 25 rows below its first row (the walk-back reaches 32)', () => {
    const matcher = compileMatcher([{ id: 'oom', regex: 'CUDA out of memory\\. Tried to allocate ([0-9.]+ [KMG]iB)' }]);
    const message = `${'while loading shards '.repeat(45)}a CUDA out of memory. Tried to allocate 20.00 MiB`;
    const raw = richOutput(python, 'log', [message, 'Episode 2 started']);
    const rows = raw.split('\n');
    expect(rows.findIndex((row) => row.includes('CUDA out of'))).toBeGreaterThanOrEqual(24);
    // The record's first row in one chunk, the next ten in another, the hit in a third.
    const bytes = Buffer.from(raw);
    const rowEnds = [...bytes.entries()].flatMap(([i, b]) => (b === 10 ? [i + 1] : []));
    expect(scanned(matcher, bytes, [rowEnds[0]!, rowEnds[10]!, bytes.length])).toEqual([[message, ['oom']]]);
    expect(expectSameAsEveryLine('long rich record', matcher, raw, {}, 56, 6)).toEqual([[message, ['oom']]]);
  });

  it('reads a line whose literal ANSI colour codes split', () => {
    const matcher = compileMatcher([{ id: 'no_option', regex: "Error: No such option '(--[a-z_-]+)'" }]);
    const text = "Usage: modal run eval.py [OPTIONS]\n\x1b[31mError\x1b[0m: No such option '--x'\nSuccess: True\n";
    expect(expectSameAsEveryLine('ansi', matcher, text, {}, 52, 8)).toEqual([["Error: No such option '--x'", ['no_option']]]);
  });

  it('reports the last line of output that ends without a newline', () => {
    for (const [name, matcher, opts] of matchers) {
      const text = "Step 1/50000 | loss 0.1\nError: No such option '--num_trials'. Did you mean '--num-trials'?";
      expect(expectSameAsEveryLine(`${name} unterminated`, matcher, text, opts, 53, 8)).toHaveLength(1);
    }
  });

  it('finds a trigger in a line longer than 64 KiB as the run log cuts it from the same chunks (raw splitter)', () => {
    const literal = "Error: No such option '--x'";
    for (const before of [10, 60_000, 65_536 - 100, 65_536 + 3_000]) {
      const text = `Step 1\n${'█'.repeat(before / 3)}${'x'.repeat(before % 3)}${literal} ${'y'.repeat(70_000)}\nStep 2\n`;
      const bytes = Buffer.from(text);
      const r = prng(before);
      for (const cuts of [[bytes.length], randomCuts(bytes, r), randomCuts(bytes, r, 1000)]) {
        const want = brief(everySegment(bench, bytes, cuts));
        expect(want.length).toBeGreaterThan(0);
        expect({ before, chunks: cuts.length, found: brief(scanned(bench, bytes, cuts)) }).toEqual({ before, chunks: cuts.length, found: want });
      }
    }
  });

  it('finds a literal that starts right at 64 Ki characters into a line, the chunk ending inside it', () => {
    // The run log's splitter passes on the first 64 Ki characters and keeps the rest, so the
    // literal reaches it whole with the next chunk.
    const bytes = Buffer.from(`${'x'.repeat(65_536)}Error: No such option '--x'\n`);
    const cuts = [65_540, bytes.length];
    const want = brief(everySegment(bench, bytes, cuts));
    expect(want).toEqual([[27, "Error: No su", "Error: No such option '--x'", ['modal_no_option']]]);
    expect(brief(scanned(bench, bytes, cuts))).toEqual(want);
  });
});

describe('trigger scanner: which rules it searches for', () => {
  it('reads every line when a rule has no literal to search for', () => {
    const rules: MatchRule[] = [...BENCH_RULES, { id: 'short', regex: '^(ok|no)\\b' }];
    const matcher = compileMatcher(rules);
    expect(matcher.literals('command_output')).toBeNull();
    const text = noiseLines(200_000) + 'ok then\nno way\n' + logs.get('rich')!;
    const want = expectSameAsEveryLine('no literal', matcher, text, {}, 54);
    expect(want.filter(([, ids]) => ids.includes('short')).map(([line]) => line)).toEqual(['ok then', 'no way']);
  });

  it('reports nothing when no rule applies to the source, even on lines the rules would match', () => {
    const matcher = compileMatcher(BENCH_RULES.map((r) => ({ ...r, sources: ['agent_text' as const] })));
    expect(matcher.literals('command_output')).toEqual([]);
    const text = logs.get('modal-image')! + "Error: No such option '--x'\n";
    expect(everyLine(matcher, text, {}, 'agent_text').length).toBeGreaterThan(0);
    const bytes = Buffer.from(text);
    expect(scanned(matcher, bytes, randomCuts(bytes, prng(55)))).toEqual([]);
  });
});

describe('trigger scanner: chunks it keeps', () => {
  it('walks back into the previous chunk for a record whose start it holds, with buffers reused', () => {
    const matcher = compileMatcher([{ id: 'oom', regex: 'CUDA out of memory\\. Tried to allocate ([0-9.]+ [KMG]iB)' }]);
    const raw = Buffer.from(richOutput(python, 'log', [OOM_MESSAGE]));
    // One chunk per row: the hit's row arrives after the rows it joins, in the other buffer.
    const rowEnds = [...raw.entries()].flatMap(([i, b]) => (b === 10 ? [i + 1] : []));
    expect(rowEnds.length).toBeGreaterThan(1);
    expect(scanned(matcher, raw, rowEnds)).toEqual([[OOM_MESSAGE, ['oom']]]);
  });

  it("still holds the rows before a hit when the chunk between held no line end and the rows' buffer was reused", () => {
    const matcher = compileMatcher([{ id: 'timeout', regex: 'hit its timeout of ([0-9]+)s' }]);
    // An error row Modal's console filled to 80 columns (it keeps the space at the wrap).
    const row = `modal.exception.FunctionTimeoutError: Task's input in-${'0'.repeat(25)} `;
    const text = `${row}\nhit its timeout of 2700s\nStep 2\n`;
    const bytes = Buffer.from(text);
    const want: Found = [[`${row}hit its timeout of 2700s`, ['timeout']]];
    expect(everyLine(matcher, text)).toEqual(want);
    // The row arrives alone; the next chunk ("hit its ti") holds no line end; the third refills the row's buffer.
    expect(scanned(matcher, bytes, [row.length + 1, row.length + 11, bytes.length])).toEqual(want);
  });
});

describe('trigger scanner: its documented limits', () => {
  const matcher = compileMatcher([{ id: 'no_option', regex: "Error: No such option '(--[a-z_-]+)'" }]);
  const unseen = (text: string) => {
    const want: Found = [["Error: No such option '--x'", ['no_option']]];
    expect(everyLine(matcher, text).map(([line, ids]) => [line.slice(-27), ids])).toEqual(want);
    const bytes = Buffer.from(text);
    expect(scanned(matcher, bytes, [bytes.length])).toEqual([]);
  };

  it('does not see a literal that only a shorter "\\r" redraw forms with the stale end of an earlier one', () => {
    unseen("\r012345678 such option '--x'\rError: No\n");
  });

  it('does not join a Rich record back from a hit more than 32 rows below its first row', () => {
    const oom = compileMatcher([{ id: 'oom', regex: 'CUDA out of memory\\. Tried to allocate ([0-9.]+ [KMG]iB)' }]);
    const raw = richOutput(python, 'log', [`${'while loading shards '.repeat(80)}a CUDA out of memory. Tried to allocate 20.00 MiB`]);
    expect(raw.split('\n').findIndex((row) => row.includes('CUDA out of'))).toBeGreaterThan(33);
    const want = everyLine(oom, raw);
    expect(want).toHaveLength(1);
    const bytes = Buffer.from(raw);
    expect(scanned(oom, bytes, [bytes.length])).not.toEqual(want);
  });

  it("does not see a literal a console wrapped within its first 11 bytes", () => {
    const row = `click.exceptions.UsageError: ${'w'.repeat(40)} Error: No `;
    expect(row).toHaveLength(80);
    unseen(`${row}\nsuch option '--x'\n`);
  });
});
