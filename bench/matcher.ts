import { execFile } from 'node:child_process';
import { closeSync, createReadStream, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { compileMatcher } from '../src/engine/matcher.js';
import { createRawSplitter } from '../src/output/raw-splitter.js';
import { createOutputNormaliser } from '../src/output/normaliser.js';
import { BENCH_RULES, ensureNoiseLog } from './generators/log-noise.js';

/**
 * The trigger matcher against `grep -E -c -f` on a 220 MB synthetic run log with sparse errors:
 * same rules, same file. Both read the file themselves; the matcher reports every rule that
 * matches each line (id and groups), grep counts matching lines, and the matching-line counts
 * must agree. Best of 3 rounds, the sides taking turns; grep runs in the C and in the default
 * locale, and the faster of the two is the one compared.
 */
const DATA = fileURLToPath(new URL('./data/', import.meta.url));
const LOG = `${DATA}matcher-noise-v1.log`;
const PATTERNS = `${DATA}matcher-patterns.txt`;
const TARGET_BYTES = 210 * 1024 * 1024;
const CHUNK = 1 << 20;
const RUNS = 3;

interface Timed {
  count: number;
  ms: number;
  /** User + system CPU time: what the work costs, whatever else the machine is running. */
  cpuMs: number;
  peakRss?: number;
}

interface Scan extends Timed {
  /** Rule matches reported (a line can match several rules) and distinct rules seen. */
  ruleMatches: number;
  rulesHit: number;
}

/** A fresh matcher per scan, counting lines by their offset and rule matches by id. */
function counter() {
  const matcher = compileMatcher(BENCH_RULES);
  const hits = new Map<string, number>();
  const r = { lines: 0, lastOffset: -1 };
  const scanner = matcher.createScanner('command_output', (m) => {
    hits.set(m.id, (hits.get(m.id) ?? 0) + 1);
    if (m.offset !== r.lastOffset) r.lines++;
    r.lastOffset = m.offset;
  });
  const result = (ms: number, cpuMs: number, peakRss?: number): Scan => ({
    count: r.lines,
    ms,
    cpuMs,
    peakRss,
    ruleMatches: [...hits.values()].reduce((a, b) => a + b, 0),
    rulesHit: hits.size,
  });
  return { scanner, result };
}

/**
 * Reads the file as grep does: read(2) into buffers that are reused. Two alternate, because the
 * scanner keeps a chunk's unterminated tail until the next chunk has been pushed.
 */
function scanOnce(): Scan {
  const { scanner, result } = counter();
  globalThis.gc?.();
  const rss0 = process.memoryUsage.rss();
  let peak = rss0;
  const bufs = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const fd = openSync(LOG, 'r');
  for (let i = 0; ; i++) {
    const buf = bufs[i & 1]!;
    const n = readSync(fd, buf, 0, CHUNK, null);
    if (n <= 0) break;
    scanner.push(n < CHUNK ? buf.subarray(0, n) : buf);
    if ((i & 31) === 0) peak = Math.max(peak, process.memoryUsage.rss());
  }
  closeSync(fd);
  scanner.end();
  return result(performance.now() - t0, cpuMsSince(cpu0), Math.max(peak, process.memoryUsage.rss()) - rss0);
}

/** The same scanner fed decoded strings by a Node stream, as a child's output arrives as text. */
async function scanText(): Promise<Scan> {
  const { scanner, result } = counter();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for await (const chunk of createReadStream(LOG, { highWaterMark: CHUNK, encoding: 'utf8' })) scanner.push(chunk as string);
  scanner.end();
  return result(performance.now() - t0, cpuMsSince(cpu0));
}

/**
 * What the runner does: split into segments that keep their terminators, normalise them (redraws,
 * ANSI, log prefixes, wrapped rows) into lines (one command_output event each), then matchLine.
 */
async function perLine(): Promise<Timed> {
  const matcher = compileMatcher(BENCH_RULES);
  let count = 0;
  const normaliser = createOutputNormaliser((line) => {
    if (matcher.matchLine(line, 'command_output').length > 0) count++;
  });
  const splitter = createRawSplitter((segment) => normaliser.push(segment));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for await (const chunk of createReadStream(LOG, { highWaterMark: CHUNK })) splitter.push(chunk as Buffer);
  splitter.end();
  normaliser.end();
  return { count, ms: performance.now() - t0, cpuMs: cpuMsSince(cpu0) };
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

/** grep timed by bash's `time` around it alone: its own wall clock and CPU, not bash's start-up. */
function grepOnce(lcAll: string | undefined): Promise<Timed> {
  const env: NodeJS.ProcessEnv = { ...process.env, TIMEFORMAT: '%3R %3U %3S' };
  if (lcAll !== undefined) env.LC_ALL = lcAll;
  const script = 'time grep -E -c -f "$1" "$2"';
  return new Promise((resolve, reject) => {
    execFile('bash', ['-c', script, 'grep', PATTERNS, LOG], { env }, (err, stdout, stderr) => {
      const times = /([\d.]+) ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
      // grep exits 1 when nothing matches; the count on stdout is still valid.
      if ((err && err.code !== 1) || !times) return reject(err ?? new Error(`no timing from bash: ${stderr}`));
      const [real, user, sys] = times.slice(1).map((t) => Number(t) * 1000) as [number, number, number];
      resolve({ count: Number(stdout.trim()), ms: real, cpuMs: user + sys });
    });
  });
}

/** Best time of each contender over `rounds`, taking turns, so load from elsewhere hits all alike. */
async function interleaved<T extends Record<string, () => Promise<Timed> | Timed>>(rounds: number, contenders: T): Promise<{ [K in keyof T]: Awaited<ReturnType<T[K]>> }> {
  const runs = new Map<string, Timed[]>(Object.keys(contenders).map((k) => [k, []]));
  for (let i = 0; i < rounds; i++) for (const [k, f] of Object.entries(contenders)) runs.get(k)!.push(await f());
  const out: Record<string, Timed> = {};
  for (const [k, all] of runs) {
    const counts = new Set(all.map((t) => t.count));
    if (counts.size > 1) throw new Error(`${k}: count changed between runs: ${[...counts].join(', ')}`);
    const fastest = all.reduce((a, b) => (b.ms < a.ms ? b : a));
    // Memory is reported as the worst run, times as the best.
    out[k] = { ...fastest, cpuMs: Math.min(...all.map((t) => t.cpuMs)), peakRss: Math.max(...all.map((t) => t.peakRss ?? 0)) };
  }
  return out as { [K in keyof T]: Awaited<ReturnType<T[K]>> };
}

export async function run(): Promise<void> {
  const t0 = performance.now();
  ensureNoiseLog(LOG, TARGET_BYTES);
  writeFileSync(PATTERNS, BENCH_RULES.map((r) => r.regex).join('\n') + '\n');
  const bytes = statSync(LOG).size;
  const mb = bytes / 1e6;
  const mbps = (t: Timed): string => `${(mb / (t.ms / 1000)).toFixed(0)} MB/s`;
  console.log(`data: ${LOG} (${mb.toFixed(1)} MB, ${BENCH_RULES.length} rules, ready in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);

  scanOnce(); // warm-up: JIT and page cache
  const { ours, grepC, grepDefault } = await interleaved(RUNS, { ours: scanOnce, grepC: () => grepOnce('C'), grepDefault: () => grepOnce(undefined) });
  const grep = grepC.ms <= grepDefault.ms ? grepC : grepDefault;
  const grepLocale = grep === grepC ? 'LC_ALL=C' : `default locale (${process.env.LC_ALL || process.env.LANG || 'unset'})`;
  const text = await scanText();
  const lines = await perLine();

  const fmt = (t: Timed): string => `${t.ms.toFixed(0)} ms (${mbps(t)}), CPU ${t.cpuMs.toFixed(0)} ms`;
  console.log(`matcher (Buffer chunks):      ${ours.count} matching lines (${ours.ruleMatches} rule matches, ${ours.rulesHit}/${BENCH_RULES.length} rules), ${fmt(ours)}`);
  console.log(`matcher (utf8 string chunks): ${text.count} matching lines, ${fmt(text)} (1 run; decoding dominates)`);
  console.log(`split + normalise + matchLine: ${lines.count} matching lines, ${fmt(lines)} (1 run; the runner's per-line path)`);
  console.log(`grep -E -c LC_ALL=C:          ${grepC.count} matching lines, ${fmt(grepC)}`);
  console.log(`grep -E -c default locale:    ${grepDefault.count} matching lines, ${fmt(grepDefault)}`);
  const grepCpu = Math.min(grepC.cpuMs, grepDefault.cpuMs);
  console.log(`ratio ours/grep (throughput, Buffer chunks vs grep ${grepLocale}): ${(grep.ms / ours.ms).toFixed(2)} (target >= 1.0)`);
  console.log(`ratio ours/grep by CPU time (vs the cheaper grep): ${(grepCpu / ours.cpuMs).toFixed(2)} (load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores)`);
  console.log(`matcher peak RSS growth during scan: ${((ours.peakRss ?? 0) / 2 ** 20).toFixed(1)} MiB`);
  const counts = [ours.count, text.count, lines.count, grepC.count, grepDefault.count];
  if (counts.some((c) => c !== ours.count) || text.ruleMatches !== ours.ruleMatches) {
    process.exitCode = 1;
    throw new Error(`matching-line counts differ: ${counts.join(' / ')} (rule matches ${ours.ruleMatches} / ${text.ruleMatches})`);
  }
}
