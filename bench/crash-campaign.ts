import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { packageRoot } from '../src/package-root.js';
import { startMessagesStandin, type RecordedRequest } from '../src/standin/messages-server.js';
import type { Event } from '../src/events/schema.js';

/**
 * One crash case of the demo: a run killed with SIGKILL at a chosen instant, then resumed, then
 * measured against an uninterrupted run. The kill instant is given as an anchor (the Nth event
 * the run printed) plus a delay, so it lands in the same phase however fast the machine is.
 */

export const ROOT = packageRoot();
let BIN = join(ROOT, 'bin', 'labpilot.js');
/** Where the playbook, its session and the templates are read from: the snapshot once taken. */
let SNAPSHOT = ROOT;

/**
 * Copies the built CLI aside and kills that copy, so a campaign of many minutes is not changed
 * under it by a rebuild of the tree.
 */
export function snapshotCli(): string {
  const dir = mkdtempSync(join(tmpdir(), 'labpilot-cli-'));
  for (const d of ['bin', 'dist', 'playbooks', 'prompts', 'templates', 'python', 'package.json']) cpSync(join(ROOT, d), join(dir, d), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  SNAPSHOT = dir;
  BIN = join(dir, 'bin', 'labpilot.js');
  return dir;
}
const playbookPath = () => join(SNAPSHOT, 'playbooks', 'rsd-phase3.yaml');
const sessionPath = () => join(SNAPSHOT, 'playbooks', 'sessions', 'rsd-phase3.yaml');

export interface Timeline {
  /** Milliseconds after spawn at which each printed event arrived. */
  at: number[];
  types: string[];
  exitMs: number;
}

export interface CaseResult {
  events: Event[];
  /** Events of the killed run, as its log held them (a torn last line left out). */
  before: Event[];
  code: number | null;
  resumeCode: number | null;
  resumeErr: string;
  /** `labpilot: results of run` commits in the workspace (the post-run work). */
  resultsCommits: number;
  timeline: Timeline;
  /** The requests the Messages API stand-in received, and how many came before the resume. */
  requests: RecordedRequest[];
  requestsBeforeResume: number;
  killedAfter?: string;
}

function spawnCli(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const t0 = Date.now();
  const timeline: Timeline = { at: [], types: [], exitMs: 0 };
  let buf = '';
  let stderr = '';
  const watchers: Array<() => void> = [];
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const m = /^\{"type":"([a-z_]+)"/.exec(line) ?? /"type":"([a-z_]+)"/.exec(line);
      timeline.at.push(Date.now() - t0);
      timeline.types.push(m?.[1] ?? '?');
      for (const w of watchers) w();
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stderr: string }>((res) =>
    child.on('close', (code) => {
      timeline.exitMs = Date.now() - t0;
      res({ code, stderr });
    }),
  );
  return { child, done, timeline, onEvent: (w: () => void) => watchers.push(w) };
}

function readLog(path: string): Event[] {
  if (!existsSync(path)) return [];
  const out: Event[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    try {
      out.push(JSON.parse(line) as Event);
    } catch {
      // The torn last line of a killed writer.
    }
  }
  return out;
}

/** The demo's sample repository and Modal stand-in state, fresh for one case. */
function demoWorld(): { repo: string; home: string; env: NodeJS.ProcessEnv } {
  const root = mkdtempSync(join(tmpdir(), 'labpilot-crash-'));
  const repo = join(root, 'sample-experiment');
  cpSync(join(SNAPSHOT, 'templates', 'sample-experiment'), repo, { recursive: true });
  const git = (...a: string[]) => execFileSync('git', a, { cwd: repo, env: { ...process.env, GIT_AUTHOR_NAME: 'd', GIT_AUTHOR_EMAIL: 'd@d', GIT_COMMITTER_NAME: 'd', GIT_COMMITTER_EMAIL: 'd@d' } });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-qm', 'Sample RSD experiment');
  const env = {
    ...process.env,
    PATH: [join(SNAPSHOT, 'python', 'bin'), process.env.PATH ?? ''].join(delimiter),
    MODAL_STANDIN_HOME: join(root, 'modal'),
    ANTHROPIC_API_KEY: 'sk-ant-demo-standin',
  };
  return { repo, home: join(root, 'home'), env };
}

export interface KillAt {
  /** Kill once this many events (of `type`, when given) were printed (0: at spawn)... */
  anchor: number;
  type?: string;
  /** ...plus this many milliseconds. */
  delayMs: number;
}

/** Runs the demo playbook, killed at `kill` (none: uninterrupted), then resumed to its end. */
export async function crashCase(kill?: KillAt): Promise<CaseResult> {
  const w = demoWorld();
  const standin = await startMessagesStandin({ session: sessionPath() });
  try {
    const env = { ...w.env, ANTHROPIC_BASE_URL: standin.url };
    const run = spawnCli(['--home', w.home, 'run', playbookPath(), '--var', `repo=${w.repo}`, '--json'], env);
    let killedAfter: string | undefined;
    if (kill) {
      let timer: NodeJS.Timeout | undefined;
      const arm = () => {
        const seen = kill.type ? run.timeline.types.filter((t) => t === kill.type).length : run.timeline.at.length;
        if (timer || seen < kill.anchor) return;
        timer = setTimeout(() => {
          killedAfter = run.timeline.types.at(-1);
          run.child.kill('SIGKILL');
        }, kill.delayMs);
      };
      run.onEvent(arm);
      arm();
    }
    const first = await run.done;
    const runsDir = join(w.home, 'runs');
    const id = existsSync(runsDir) ? (execFileSync('ls', [runsDir]).toString().trim().split('\n')[0] ?? '') : '';
    const log = join(runsDir, id, 'events.jsonl');
    const before = readLog(log);
    let resumeCode: number | null = first.code;
    let resumeErr = '';
    const requestsBeforeResume = standin.requests.length;
    if (kill && id) {
      const resumed = spawnCli(['--home', w.home, 'resume', id, '--json'], env);
      const r = await resumed.done;
      resumeCode = r.code;
      resumeErr = r.stderr.trim().split('\n').slice(-3).join(' | ');
    }
    const events = readLog(log);
    const ws = join(runsDir, id, 'workspace');
    const resultsCommits = existsSync(join(ws, '.git'))
      ? execFileSync('git', ['log', '--format=%s'], { cwd: ws }).toString().split('\n').filter((s) => s.startsWith('labpilot: results of run')).length
      : 0;
    return { events, before, code: first.code, resumeCode, resumeErr, resultsCommits, timeline: run.timeline, requests: standin.requests, requestsBeforeResume, killedAfter };
  } finally {
    await standin.close();
  }
}
