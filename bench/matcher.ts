import { execFile } from 'node:child_process';
import { closeSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { compileMatcher } from '../src/engine/matcher.js';
import { createRawSplitter } from '../src/output/raw-splitter.js';
import { createOutputNormaliser } from '../src/output/normaliser.js';
import { prefixRegexes } from '../src/output/streams.js';
import { createTriggerScanner } from '../src/output/trigger-scanner.js';
import { BENCH_RULES, ensureNoiseLog } from './generators/log-noise.js';

/**
 * The path runs take from a command's output to its triggers, against `grep -E -c -f` on a
 * 220 MB synthetic run log with sparse errors: same rules, same file. Ours is what the runner
 * calls on each chunk a pipe delivers (src/output/streams.ts): the trigger scanner, which
 * searches the bytes for the rules' literals and decodes, normalises and matches (`matchLine`)
 * only the lines around a hit; grep counts matching lines, and the counts must agree. Best of 3
 * rounds, the sides taking turns; grep runs in the C and in the default locale, and the faster
 * is compared. For scale, the same output cut into normalised lines for the run log is timed
 * once: what every line of output costs a run besides its triggers.
 */
const DATA = fileURLToPath(new URL('./data/', import.meta.url));
const LOG = `${DATA}matcher-noise-v1.log`;
const PATTERNS = `${DATA}matcher-patterns.txt`;
const TARGET_BYTES = 210 * 1024 * 1024;
/** What a child's pipe delivers at most per read on Linux. */
const CHUNK = 1 << 16;
const RUNS = 3;

interface Timed {
  count: number;
  ms: number;
  /** User + system CPU time: what the work costs, whatever else the machine is running. */
  cpuMs: number;
}

/** The file in chunks of a pipe's size, each in a buffer not reused before the next is read. */
function eachChunk(f: (chunk: Buffer) => void): void {
  const fd = openSync(LOG, 'r');
  const buffers = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
  try {
    for (let i = 0; ; i++) {
      const buffer = buffers[i & 1]!;
      const n = readSync(fd, buffer, 0, CHUNK, null);
      if (n <= 0) return;
      f(buffer.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
}

/** The trigger scanner over the chunks, as src/output/streams.ts runs it for each stream. */
function ours(): Timed {
  const matcher = compileMatcher(BENCH_RULES);
  let count = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const scanner = createTriggerScanner(matcher, 'command_output', () => count++, { prefixes: prefixRegexes(undefined) });
  eachChunk((chunk) => scanner.push(chunk));
  scanner.end();
  return { count, ms: performance.now() - t0, cpuMs: cpuMsSince(cpu0) };
}

/** Every line split and normalised, as the run log's `command_output` events take them. */
function everyLine(): Timed {
  let count = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const normaliser = createOutputNormaliser<'stdout'>(() => count++, { prefixes: prefixRegexes(undefined) });
  const splitter = createRawSplitter((segment) => normaliser.push(segment, 'stdout'));
  eachChunk((chunk) => splitter.push(chunk));
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
    out[k] = { ...fastest, cpuMs: Math.min(...all.map((t) => t.cpuMs)) };
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

  ours(); // warm-up: JIT and page cache
  const { path, grepC, grepDefault } = await interleaved(RUNS, { path: ours, grepC: () => grepOnce('C'), grepDefault: () => grepOnce(undefined) });
  const grep = grepC.ms <= grepDefault.ms ? grepC : grepDefault;
  const grepLocale = grep === grepC ? 'LC_ALL=C' : `default locale (${process.env.LC_ALL || process.env.LANG || 'unset'})`;

  const fmt = (t: Timed): string => `${t.ms.toFixed(0)} ms (${mbps(t)}), CPU ${t.cpuMs.toFixed(0)} ms`;
  console.log(`trigger scanner:               ${path.count} matching lines, ${fmt(path)}`);
  console.log(`grep -E -c LC_ALL=C:           ${grepC.count} matching lines, ${fmt(grepC)}`);
  console.log(`grep -E -c default locale:     ${grepDefault.count} matching lines, ${fmt(grepDefault)}`);
  const load = `load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`;
  const lines = everyLine();
  console.log(`for scale, every line split + normalised for the run log: ${lines.count} lines, ${fmt(lines)}`);
  const counts = [path.count, grepC.count, grepDefault.count];
  if (counts.some((c) => c !== path.count)) {
    process.exitCode = 1;
    throw new Error(`matching-line counts differ: ${counts.join(' / ')}`);
  }
  console.log(`ratio by CPU time (vs the cheaper grep): ${(Math.min(grepC.cpuMs, grepDefault.cpuMs) / path.cpuMs).toFixed(2)}; wall below is vs grep ${grepLocale}, target >= 1.0, ${load}`);
  console.log(`ratio ours/grep (the path runs use): ${(grep.ms / path.ms).toFixed(2)}`);
}
