import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cutOutput } from '../src/agent/tools/cut-output.js';
import { ERROR_CASES, type ErrorCase } from './generators/error-logs.js';
import { ensureNoiseLog } from './generators/log-noise.js';

/**
 * Context economy: what the model is shown of a failing command's output. Each error log of
 * the corpus is buried in at least 10,000 lines of a run's noise (training steps, LIBERO
 * episodes, pip and Modal lines, progress bars, near-miss lines); the bash tool's cut (the
 * default budget the agent gets) is compared with a plain 30,000-character head-and-tail cut.
 * Target: <= 8 KB sent and every root-cause line kept, in every case.
 */

const BUDGET_CHARS = 8_000;
const TARGET_BYTES = 8 * 1024;
const NOISE_LINES = 12_000;
const PLAIN_CHARS = 30_000;

function noiseLines(): string[] {
  const path = ensureNoiseLog(join(tmpdir(), 'labpilot-context-noise-v1.log'), 4 << 20, Number.POSITIVE_INFINITY);
  return readFileSync(path, 'utf8').split('\n');
}

/** The case's log: noise with decoys spread before the block, the block at its place. */
function logOf(c: ErrorCase, pool: string[], offset: number): string {
  const noise = pool.slice(offset, offset + NOISE_LINES);
  const at = Math.round(c.at * noise.length);
  const out = [...noise.slice(0, at)];
  (c.decoys ?? []).forEach((d, i) => out.splice(Math.floor(((i + 1) * at) / ((c.decoys?.length ?? 0) + 1)), 0, d));
  const copies = c.repeat ?? 1;
  if (copies === 1) out.push(...c.block);
  const rest = noise.slice(at);
  // A repeated block is spread through the rest of the log, as per-episode failures are.
  for (let i = 0; i < rest.length; i++) {
    if (copies > 1 && i % Math.floor(rest.length / copies) === 0) out.push(...c.block);
    out.push(rest[i]!);
  }
  return out.join('\n');
}

const headTail = (text: string, chars: number): string =>
  text.length <= chars ? text : `${text.slice(0, chars / 2)}\n[... cut ...]\n${text.slice(-chars / 2)}`;
const keptAll = (out: string, c: ErrorCase): boolean => {
  const lines = new Set(out.split('\n').map((l) => l.trimEnd()));
  return c.rootCause.every((l) => lines.has(l.trimEnd()));
};
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const fmt = (n: number) => n.toLocaleString('en-US');

export async function run(): Promise<void> {
  const pool = noiseLines();
  const rows: string[][] = [['case', 'lines', 'log bytes', 'cut bytes', 'kept', 'ms', 'head+tail bytes', 'kept']];
  let misses = 0;
  ERROR_CASES.forEach((c, i) => {
    const text = logOf(c, pool, (i * 1_700) % (pool.length - NOISE_LINES));
    const t0 = performance.now();
    const cut = cutOutput(text, BUDGET_CHARS);
    const ms = performance.now() - t0;
    const plain = headTail(text, PLAIN_CHARS);
    const ok = keptAll(cut, c) && bytes(cut) <= TARGET_BYTES;
    if (!ok) misses++;
    rows.push([c.name, fmt(text.split('\n').length), fmt(bytes(text)), fmt(bytes(cut)), keptAll(cut, c) ? 'yes' : 'NO', ms.toFixed(1), fmt(bytes(plain)), keptAll(plain, c) ? 'yes' : 'no']);
  });
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  for (const r of rows) console.log(r.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!))).join('  '));
  const plainKept = rows.slice(1).filter((r) => r[7] === 'yes').length;
  console.log(
    `context: root cause kept in ${ERROR_CASES.length - misses}/${ERROR_CASES.length} cases within ${fmt(TARGET_BYTES)} bytes ` +
      `(head-and-tail ${fmt(PLAIN_CHARS)} chars: ${plainKept}/${ERROR_CASES.length}) ${misses === 0 ? 'OK' : 'MISSED'}`,
  );
  if (misses > 0) process.exitCode = 1;
}
