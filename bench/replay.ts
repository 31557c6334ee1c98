import { execFile, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { importTranscript } from '../src/replay/import/index.js';

/**
 * Transcript import against `jq -c . > /dev/null` on the same generated Claude Code session of
 * at least 500 MB: both read, parse and walk every record; labpilot also turns them into
 * events. The import runs in a child process so its peak RSS is its own (getrusage maxrss).
 * Targets: throughput ratio ours/jq >= 1.0, peak RSS < 200 MB. The file is deleted afterwards.
 * jq must be on PATH (apt-get install jq).
 */
const TARGET_BYTES = 520 * 1e6;
const ROUNDS = 2;

interface Timed {
  ms: number;
  events?: number;
  records?: number;
  peakRssMb?: number;
}

/** The child: imports the file and reports its figures as one JSON line. */
function child(file: string): void {
  const t0 = performance.now();
  const { events, stats } = importTranscript(file, { format: 'claude-code', strict: true });
  let n = 0;
  for (const e of events) if (e.event.seq >= 0) n++;
  const ms = performance.now() - t0;
  process.stdout.write(JSON.stringify({ ms, events: n, records: stats.records, peakRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

function importOnce(file: string): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Timed) : reject(new Error(`import child exited ${code}`))));
  });
}

function jqOnce(file: string): Promise<Timed> {
  return new Promise((resolve, reject) => {
    execFile('bash', ['-c', 'time jq -c . "$1" > /dev/null', 'jq', file], { env: { ...process.env, TIMEFORMAT: '%3R' } }, (err, _stdout, stderr) => {
      const real = /([\d.]+)\s*$/.exec(stderr);
      if (err || !real) return reject(err ?? new Error(`no timing from bash: ${stderr}`));
      resolve({ ms: Number(real[1]) * 1000 });
    });
  });
}

/** A session in Claude Code's shape: prompts, streamed assistant blocks, bash runs with long output, a subagent. */
function generate(file: string, target: number): { bytes: number; lines: number } {
  const fd = openSync(file, 'w');
  const output = (i: number) => Array.from({ length: 60 + (i % 90) }, (_, k) => `step ${k}: episode ${i} reward ${(k * 0.013).toFixed(3)} action [0.12, -0.03, 0.44, 0.0, 0.9, -0.1, 1.0] latency ${40 + (k % 17)} ms`).join('\n');
  let bytes = 0;
  let lines = 0;
  let chunk: string[] = [];
  let size = 0;
  let prev: string | null = null;
  const put = (rec: Record<string, unknown>) => {
    const s = JSON.stringify(rec) + '\n';
    chunk.push(s);
    size += s.length;
    lines++;
    if (size > 4 << 20) flush();
  };
  const flush = () => {
    bytes += writeSync(fd, chunk.join(''));
    chunk = [];
    size = 0;
  };
  const base = (i: number, type: string, side = false) => {
    const uuid = `${(i >>> 0).toString(16).padStart(8, '0')}-4a1b-4c2d-8e3f-${String(lines).padStart(12, '0')}`;
    const rec = { parentUuid: prev, isSidechain: side, userType: 'external', cwd: '/home/ana/rsd', sessionId: 'bench-session', version: '2.0.31', gitBranch: 'main', type, uuid, timestamp: new Date(1_770_000_000_000 + lines * 1000).toISOString() };
    if (!side) prev = uuid;
    return rec;
  };
  const usage = { input_tokens: 6, cache_creation_input_tokens: 812, cache_read_input_tokens: 40211, output_tokens: 377, service_tier: 'standard' };
  for (let i = 0; bytes + size < target; i++) {
    put({ ...base(i, 'user'), message: { role: 'user', content: `Run the stage again with ${i % 50} trials and tell me the success rate; keep the draft model on.` } });
    const mid = `msg_01Bench${i}`;
    put({ ...base(i, 'assistant'), message: { id: mid, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'thinking', thinking: 'The person wants the stage rerun; I will run it and read the figures.', signature: 'EtoECkYIChgCKkCPLjvF' }], stop_reason: null, usage } });
    put({ ...base(i, 'assistant'), message: { id: mid, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'tool_use', id: `toolu_${i}`, name: 'Bash', input: { command: `modal run eval.py --num-trials ${i % 50}`, description: 'Run the stage' } }], stop_reason: 'tool_use', usage } });
    const out = output(i) + (i % 7 === 0 ? '\ntorch.OutOfMemoryError: CUDA out of memory. Tried to allocate 324.00 MiB.' : '\nOverall success rate: 0.88');
    put({ ...base(i, 'user'), message: { role: 'user', content: [{ tool_use_id: `toolu_${i}`, type: 'tool_result', content: out, is_error: i % 7 === 0 }] }, toolUseResult: { stdout: out, stderr: '', interrupted: false, isImage: false } });
    if (i % 10 === 0) {
      put({ ...base(i, 'user', true), message: { role: 'user', content: 'Inspect the checkpoint keys' } });
      put({ ...base(i, 'assistant', true), message: { id: `msg_side${i}`, role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: 'Every key starts with module.' }], stop_reason: 'end_turn', usage } });
    }
    put({ ...base(i, 'assistant'), message: { id: `msg_02Bench${i}`, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: `The stage finished: success rate 0.88 over ${i % 50} trials; mean inference 53.4 ms.` }], stop_reason: 'end_turn', usage } });
    if (i % 500 === 0) put({ type: 'summary', summary: `Stage reruns up to ${i}`, leafUuid: prev });
  }
  flush();
  closeSync(fd);
  return { bytes, lines };
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'labpilot-replay-bench-'));
  const file = join(dir, 'session.jsonl');
  try {
    const t0 = performance.now();
    const { lines } = generate(file, TARGET_BYTES);
    const mb = statSync(file).size / 1e6;
    console.log(`data: generated Claude Code session, ${mb.toFixed(0)} MB, ${lines} lines, in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const ours: Timed[] = [];
    const jq: Timed[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      ours.push(await importOnce(file));
      jq.push(await jqOnce(file));
    }
    const best = (all: Timed[]) => all.reduce((a, b) => (b.ms < a.ms ? b : a));
    const o = best(ours);
    const j = best(jq);
    const peak = Math.max(...ours.map((t) => t.peakRssMb ?? 0));
    const mbps = (t: Timed) => (mb / (t.ms / 1000)).toFixed(0);
    console.log(`labpilot import:   ${o.records} records -> ${o.events} events in ${(o.ms / 1000).toFixed(2)} s (${mbps(o)} MB/s), best of ${ROUNDS}`);
    console.log(`jq -c . >/dev/null: ${(j.ms / 1000).toFixed(2)} s (${mbps(j)} MB/s), best of ${ROUNDS}`);
    console.log(`ratio ours/jq (throughput): ${(j.ms / o.ms).toFixed(2)} (target >= 1.0) ${j.ms >= o.ms ? 'OK' : 'MISSED'}`);
    console.log(`import peak RSS: ${peak.toFixed(0)} MB (target < 200 MB) ${peak < 200 ? 'OK' : 'MISSED'}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv[2]) child(process.argv[2]);
