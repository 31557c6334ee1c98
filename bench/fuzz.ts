import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { packageRoot } from '../src/package-root.js';
import { mutate, type Rand, type SeedKind } from './fuzz-mutate.js';
import { seeded } from './crash-measure.js';
import type { FuzzAnswer, FuzzCase } from './fuzz-worker.js';
import { EventLogWriter } from '../src/runs/log.js';
import { liberoOutput, rsdPhase3Run, SUITES } from '../tests/helpers/libero-run.js';

/**
 * `npm run bench -- fuzz`: FUZZ_N (default 5,000) seeded mutants of playbooks, transcripts and
 * run logs through `lint`, `replay`, `report`, `resume` and `parse`, in-process
 * in a worker, with every FUZZ_SPAWN-th case (default 100) also through the real binary. Each
 * case must end with an exit code of the documented set, no stack trace and no internal error
 * (else a crash), within FUZZ_TIMEOUT_MS (else a hang), and on bad input (exit 2) every line it
 * printed must say where (`file:line`, or the file) with no raw control character (else unlocated).
 */

const ROOT = packageRoot();
const CODES = new Set([0, 1, 2, 3, 4]);

export interface Verdict {
  crash: boolean;
  unlocated: boolean;
}

/** How a case ended, judged on its exit code and what it printed on stderr. */
export function judge(file: string, a: { code: number | null; text: string; crash?: string }): Verdict {
  const crash = a.crash !== undefined || a.code === null || !CODES.has(a.code) || /internal error|\n\s+at \S+ \(?\S+:\d+:\d+\)?/.test(a.text);
  const name = basename(file);
  // A line says where: `file:line[:col]: `, the file by name, or the argument it is about.
  // eslint-disable-next-line no-control-regex -- raw control characters are what is looked for
  const located = (l: string) => (/\S+:\d+(:\d+)?: /.test(l) || l.includes(`${name}: `) || l.includes(`${name} `) || / --[a-z-]+ /.test(l)) && !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(l);
  const lines = a.text.split('\n').filter((l) => l.trim() !== '');
  const unlocated = a.code === 2 && (lines.length === 0 || !lines.every(located));
  return { crash, unlocated };
}

/** The run log seed: a fanned-out RSD run, chained as labpilot writes it, pointing at a real playbook. */
function runLogSeed(dir: string): string {
  const ws = join(dir, 'ws');
  mkdirSync(ws, { recursive: true });
  const path = join(dir, 'seed.jsonl');
  const writer = new EventLogWriter(path);
  for (const e of rsdPhase3Run(SUITES).events) {
    const fixed = e.type === 'run_started' ? { ...e, playbookPath: join(ROOT, 'playbooks', 'rsd-phase3.yaml'), workspace: ws, vars: { ...e.vars, repo: join(dir, 'no-repo') } } : e;
    writer.append({ ...fixed, ...(e.seq > 0 && { prev: e.seq - 1 }) });
  }
  writer.close();
  return readFileSync(path, 'utf8');
}

interface Seed {
  kind: SeedKind;
  name: string;
  text: string;
}

function seeds(dir: string): Seed[] {
  const out: Seed[] = [];
  for (const f of readdirSync(join(ROOT, 'playbooks')).filter((f) => f.endsWith('.yaml'))) out.push({ kind: 'playbook', name: f, text: readFileSync(join(ROOT, 'playbooks', f), 'utf8') });
  const tdir = join(ROOT, 'tests', 'fixtures', 'transcripts');
  for (const f of readdirSync(tdir).filter((f) => /\.jsonl?$/.test(f))) out.push({ kind: 'transcript', name: f, text: readFileSync(join(tdir, f), 'utf8') });
  out.push({ kind: 'runlog', name: 'events.jsonl', text: runLogSeed(dir) });
  writeFileSync(join(dir, 'full-output.log'), liberoOutput({ suite: 'libero_spatial', trials: 3, successes: [3, 2], inferenceMs: () => 40, acceptance: 0.7 }).join('\n') + '\n');
  return out;
}

/** Writes the mutant where its command reads it; returns the case. */
function makeCase(id: number, r: Rand, all: Seed[], dir: string): FuzzCase {
  const x = r();
  const kind: SeedKind = x < 0.4 ? 'playbook' : x < 0.65 ? 'transcript' : 'runlog';
  const group = all.filter((s) => s.kind === kind);
  const seed = group[Math.floor(r() * group.length)]!;
  const text = mutate(r, kind, seed.text);
  const caseDir = join(dir, `c${id}`);
  if (kind === 'playbook') {
    mkdirSync(caseDir, { recursive: true });
    const file = join(caseDir, seed.name);
    writeFileSync(file, text);
    // A changed RSD playbook also reads a saved stage output, as `labpilot parse` does.
    if (seed.name === 'rsd-phase3.yaml' && r() < 0.3) return { id, target: 'parse', file, playbook: file, output: join(dir, 'full-output.log') };
    return { id, target: 'lint', file };
  }
  if (kind === 'transcript') {
    mkdirSync(caseDir, { recursive: true });
    const file = join(caseDir, seed.name);
    writeFileSync(file, text);
    return { id, target: 'replay', file };
  }
  const runId = `r${id}`;
  const run = join(caseDir, 'runs', runId);
  mkdirSync(join(run, 'commands'), { recursive: true });
  const file = join(run, 'events.jsonl');
  writeFileSync(file, text);
  const y = r();
  const targets = ['replay', 'report', 'resume', 'parse'] as const;
  const target = targets[Math.floor(y * targets.length)]!;
  return { id, target, file, home: caseDir, runId, playbook: join(ROOT, 'playbooks', 'rsd-phase3.yaml') };
}

/** A worker process that answers cases; restarted after a hang. */
class Worker {
  private child!: ChildProcess;
  private waiting?: (a: FuzzAnswer | 'hang') => void;
  private orphan?: FuzzAnswer;
  private ready!: Promise<void>;

  constructor(private readonly timeoutMs: number) {
    this.start();
  }

  private start(): void {
    this.child = fork(join(ROOT, 'bench', 'fuzz-worker.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    let loaded: () => void;
    this.ready = new Promise((res) => (loaded = res));
    this.child.on('message', (a: FuzzAnswer) => {
      if (a.id === 0) loaded();
      else if (a.id === -1) this.orphan = a;
      else this.waiting?.(a);
    });
  }

  async run(c: FuzzCase): Promise<FuzzAnswer | 'hang'> {
    await this.ready;
    const answer = await new Promise<FuzzAnswer | 'hang'>((res) => {
      const timer = setTimeout(() => res('hang'), this.timeoutMs);
      this.waiting = (a) => {
        clearTimeout(timer);
        res(a);
      };
      this.child.send(c);
    });
    this.waiting = undefined;
    if (answer === 'hang') {
      this.child.kill('SIGKILL');
      this.start();
    }
    const orphan = this.orphan;
    this.orphan = undefined;
    return orphan && answer !== 'hang' ? { ...answer, crash: orphan.crash } : answer;
  }

  close(): void {
    this.child.kill();
  }
}

/** The same case through the real binary, as a person would run it. */
function spawnCase(c: FuzzCase, timeoutMs: number): Promise<FuzzAnswer | 'hang'> {
  const bin = join(ROOT, 'bin', 'labpilot.js');
  const args =
    c.target === 'lint' ? ['lint', c.file] : c.target === 'replay' ? ['replay', c.file] : c.target === 'parse' ? ['parse', c.playbook!, c.output ?? c.file, '--step', 'full', '--json'] : ['--home', c.home!, c.target, c.runId!, ...(c.target === 'resume' ? ['--json'] : [])];
  return new Promise((res) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH }, stdio: ['ignore', 'ignore', 'pipe'] });
    let text = '';
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      res('hang');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ id: c.id, code: code ?? 70, text });
    });
  });
}

export interface FuzzOptions {
  n: number;
  seed: number;
  /** Every this-many-th case also through the binary. */
  every: number;
  timeoutMs: number;
  log?: (line: string) => void;
}

export interface FuzzResult {
  cases: number;
  crashes: number;
  hangs: number;
  unlocated: number;
  byTarget: Map<string, number>;
}

/** Runs a seeded campaign; every failure is logged with its case's file. */
export async function fuzzCampaign(o: FuzzOptions): Promise<FuzzResult> {
  const log = o.log ?? (() => {});
  const r = seeded(o.seed);
  const dir = mkdtempSync(join(tmpdir(), 'labpilot-fuzz-'));
  const all = seeds(dir);
  const worker = new Worker(o.timeoutMs);
  const res: FuzzResult = { cases: o.n, crashes: 0, hangs: 0, unlocated: 0, byTarget: new Map() };
  try {
    for (let id = 1; id <= o.n; id++) {
      const c = makeCase(id, r, all, dir);
      res.byTarget.set(c.target, (res.byTarget.get(c.target) ?? 0) + 1);
      const answers = [await worker.run(c)];
      if (id % o.every === 0) answers.push(await spawnCase(c, o.timeoutMs * 2));
      for (const a of answers) {
        if (a === 'hang') {
          res.hangs++;
          log(`  hang: ${c.target} ${c.file}`);
          continue;
        }
        const v = judge(c.file, a);
        if (v.crash) log(`  crash: ${c.target} ${c.file}: exit ${a.code} ${(a.crash ?? a.text).split('\n').slice(0, 2).join(' | ').slice(0, 300)}`);
        else if (v.unlocated) log(`  unlocated: ${c.target} ${c.file}: exit ${a.code} ${JSON.stringify(a.text.slice(0, 300))}`);
        res.crashes += v.crash ? 1 : 0;
        res.unlocated += v.unlocated && !v.crash ? 1 : 0;
      }
    }
  } finally {
    worker.close();
  }
  return res;
}

export async function run(): Promise<void> {
  const o = {
    n: Number(process.env.FUZZ_N ?? 5000),
    every: Number(process.env.FUZZ_SPAWN ?? 100),
    timeoutMs: Number(process.env.FUZZ_TIMEOUT_MS ?? 20_000),
    seed: Number(process.env.FUZZ_SEED ?? 7),
    log: (l: string) => console.log(l),
  };
  // Every FUZZ_SPAWN-th case runs the built binary: it must be the code under test.
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  const t0 = Date.now();
  const r = await fuzzCampaign(o);
  console.log(`cases by command: ${[...r.byTarget].map(([t, k]) => `${t} ${k}`).join(', ')}; ${Math.floor(o.n / o.every)} also through the binary; ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  console.log(`fuzz: ${r.cases} cases, ${r.crashes} crashes, ${r.hangs} hangs, ${r.unlocated} unlocated errors`);
}
