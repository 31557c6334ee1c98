import { spawn, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/package-root.js';
import { killGroup } from '../src/proc/kill-group.js';

/**
 * Time from starting `labpilot run --mode interactive` to the terminal app's first frame: the
 * real binary in a 100x40 pseudo-terminal (util-linux `script`; `stty` sizes it, 20-50 ms
 * included), timed from spawn until the app's key line ("? keys") is on the terminal. The run
 * goes on to clone and load the engine behind the first frame; it is stopped once the frame is
 * seen. Median of 7 starts. Target: < 300 ms.
 */
const ROOT = packageRoot();
const BIN = join(ROOT, 'bin', 'labpilot.js');
const RUNS = 7;
const TARGET_MS = 300;

function repo(dir: string): string {
  cpSync(join(ROOT, 'templates', 'calc-repo'), dir, { recursive: true });
  const env = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };
  for (const args of [['init', '-q', '-b', 'main'], ['add', '-A'], ['commit', '-qm', 'initial']]) execFileSync('git', args, { cwd: dir, env });
  return dir;
}

/**
 * CPU time (user + system) the labpilot process has used so far, from /proc: what the start
 * costs whatever else the machine runs. Undefined where /proc is not there.
 */
function cpuMsOf(leader: number): number | undefined {
  try {
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d) && Number(d) !== leader)) {
      // `script` itself carries the command line too; the node process is the one it runs.
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.startsWith(process.execPath) || !cmdline.includes('labpilot.js')) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[2] is the process group: the one `script` leads, so the process is this start's.
      if (Number(fields[2]) !== leader && Number(fields[1]) !== leader) continue;
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    }
  } catch {
    // No /proc: the wall time stands alone.
  }
  return undefined;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function firstFrame(home: string, repoDir: string): Promise<{ ms: number; cpuMs?: number }> {
  const command = [process.execPath, BIN, '--home', home, 'run', join(ROOT, 'playbooks', 'fix-failing-test.yaml'), '--var', `repo=${repoDir}`, '--mode', 'interactive']
    .map(quote)
    .join(' ');
  // A terminal has a size; a pty made by `script` outside one has none, and Ink would measure it.
  const inTerminal = `stty cols 100 rows 40 && exec ${command}`;
  const env: NodeJS.ProcessEnv = { ...process.env, ANTHROPIC_API_KEY: 'sk-ant-bench-000000000000', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' };
  // Ink draws only final frames when it believes it runs in CI.
  delete env.CI;
  delete env.CONTINUOUS_INTEGRATION;
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn('script', ['-qfec', inTerminal, '/dev/null'], { env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    let seen = '';
    const stop = () => killGroup(child.pid, 'SIGKILL');
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no frame within 20 s; the terminal showed: ${JSON.stringify(seen.slice(-300))}`));
    }, 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes('? keys')) {
        const ms = performance.now() - t0;
        const cpuMs = cpuMsOf(child.pid!);
        clearTimeout(timer);
        stop();
        resolvePromise({ ms, cpuMs });
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`exited before the first frame; the terminal showed: ${JSON.stringify(seen.slice(-300))}`));
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export async function run(): Promise<void> {
  try {
    execFileSync('script', ['-V'], { stdio: 'ignore' });
  } catch {
    console.log('first-frame: skipped (util-linux `script` is needed for a pseudo-terminal)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'labpilot-first-frame-'));
  try {
    const repoDir = repo(join(dir, 'repo'));
    const starts: Array<{ ms: number; cpuMs?: number }> = [];
    for (let i = 0; i < RUNS; i++) starts.push(await firstFrame(join(dir, `home-${i}`), repoDir));
    const mid = <T>(xs: T[]) => xs[Math.floor(xs.length / 2)]!;
    const times = starts.map((s) => s.ms).sort((a, b) => a - b);
    const cpu = starts.flatMap((s) => (s.cpuMs === undefined ? [] : [s.cpuMs])).sort((a, b) => a - b);
    const median = mid(times);
    console.log(
      `first-frame: ${median.toFixed(0)} ms median from process start to the first frame, ${times[0]!.toFixed(0)} ms best of ${RUNS} ` +
        `(target < ${TARGET_MS} ms) ${median < TARGET_MS ? 'OK' : 'MISSED'}` +
        `${cpu.length ? `; ${mid(cpu).toFixed(0)} ms of CPU in the process` : ''}; load average ${loadavg()[0]!.toFixed(2)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
