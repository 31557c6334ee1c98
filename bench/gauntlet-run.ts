import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { Event } from '../src/events/schema.js';
import type { Outcome, Persona } from './personas/personas.js';

/**
 * One persona under one seed: its session is written to a file and played by the built binary
 * (`labpilot demo --session FILE --json`), so the run is exactly what a user trying the session
 * would get. What labpilot made of it is read back from the run's own events.
 */
const BIN = fileURLToPath(new URL('../bin/labpilot.js', import.meta.url));

/** Few trials: every stage still runs all its gates, in seconds instead of minutes. */
export const FAST_VARS = ['stability_trials=1', 'full_trials=2', 'baseline_trials=2'];

export interface GauntletRow {
  persona: string;
  seed: number;
  variant: string;
  expected: Outcome;
  /** passes / stops / asks, or `error` when the run did not end cleanly (no run_ended, bad exit). */
  outcome: Outcome | 'error';
  verdict: string;
  reason: string;
  asExpected: boolean;
  /** labpilot passed a persona that must not pass. */
  falsePass: boolean;
  /** What trusting the agent's final answer would conclude. */
  unsupervised: 'passes' | 'not passed';
  unsupervisedFalsePass: boolean;
  turns: number;
  tokens: number;
  /** Simulated GPU time of the stages that saved results (from the results files' simulated clock). */
  gpuMinutes: number;
  wallMs: number;
  exitCode: number | null;
}

export interface RunOptions {
  vars?: string[];
  /** Kill a run that takes longer (ms). */
  timeoutMs?: number;
  keep?: boolean;
}

export async function runPersona(persona: Persona, seed: number, o: RunOptions = {}): Promise<GauntletRow> {
  const spec = persona.make(seed);
  const dir = mkdtempSync(join(tmpdir(), `labpilot-gauntlet-${persona.name}-${seed}-`));
  const session = join(dir, 'session.yaml');
  writeFileSync(session, stringify(spec.session, { lineWidth: 0 }));
  const started = Date.now();
  const vars = (o.vars ?? FAST_VARS).flatMap((v) => ['--var', v]);
  const exitCode = await run(['--home', join(dir, 'home'), 'demo', '--session', session, '--json', ...vars], o.timeoutMs ?? 600_000);
  const wallMs = Date.now() - started;
  const events = readEvents(join(dir, 'home'));
  const ended = events.findLast((e) => e.type === 'run_ended');
  const asked = events.some((e) => (e.type === 'notice' && /^a person is needed/.test(e.message)) || (e.type === 'decision' && e.subject === 'ask'));
  const outcome: GauntletRow['outcome'] =
    exitCode === 0 && ended?.verdict === 'passed' ? 'passes' : asked && (exitCode === 4 || exitCode === 1) ? 'asks' : ended && exitCode === 1 ? 'stops' : 'error';
  const warned = events.findLast((e): e is Extract<Event, { type: 'notice' }> => e.type === 'notice' && e.level !== 'info');
  const reason = ended?.reason ?? warned?.message ?? `exit ${exitCode}`;
  const asExpected = outcome === spec.expected && spec.because.test(evidence(events, reason));
  const last = events.findLast((e) => e.type === 'budget_spent');
  const unsupervised = spec.finalAnswer === 'done' ? 'passes' : 'not passed';
  const gpuMinutes = simulatedGpuMinutes(events);
  if (!o.keep) {
    rmSync(dir, { recursive: true, force: true });
    if (demoRoot(events)) rmSync(demoRoot(events)!, { recursive: true, force: true });
  }
  return {
    persona: persona.name,
    seed,
    variant: spec.variant,
    expected: spec.expected,
    outcome,
    verdict: ended?.verdict ?? (asked ? 'stopped for a person' : 'none'),
    reason,
    asExpected,
    falsePass: outcome === 'passes' && spec.expected !== 'passes',
    unsupervised,
    unsupervisedFalsePass: unsupervised === 'passes' && spec.expected !== 'passes',
    turns: events.filter((e) => e.type === 'agent_turn_ended').length,
    tokens: last?.type === 'budget_spent' ? last.tokens : 0,
    gpuMinutes,
    wallMs,
    exitCode,
  };
}

/** What the run showed: its end reason, failed gates, triggers, remediations, the commands it ran. */
function evidence(events: Event[], reason: string): string {
  const lines = [reason];
  for (const e of events) {
    if (e.type === 'gate_judged' && !e.passed) lines.push(`failed: ${e.check}: ${e.detail}`);
    if (e.type === 'remediation_chosen') lines.push(`remediation: ${e.remediation}`);
    if (e.type === 'trigger_matched') lines.push(`trigger: ${e.remediation} (${e.source})`);
    if (e.type === 'command_started') lines.push(`command: ${e.command}`);
    if (e.type === 'notice' && e.level !== 'info') lines.push(e.message);
    if (e.type === 'agent_turn_ended') lines.push(`turn ended: ${e.stopReason}`);
  }
  return lines.join('\n');
}

/**
 * The modal stand-in's clock starts at the same simulated instant in every `modal run` and its
 * results files are stamped with it, so a stamp minus that start is the run's simulated time.
 * A run that crashed wrote no file; its minutes before the crash are not counted.
 */
const SIM_START_S = 1_760_000_000;
function simulatedGpuMinutes(events: Event[]): number {
  const root = demoRoot(events);
  if (!root) return 0;
  const volume = join(root, 'modal', 'volumes', 'rsd-results');
  if (!existsSync(volume)) return 0;
  let seconds = 0;
  for (const f of readdirSync(volume).filter((n) => n.endsWith('.json'))) {
    const stamp = /_(\d{8})_(\d{6})\.json$/.exec(f);
    if (!stamp) continue;
    const [d, t] = [stamp[1]!, stamp[2]!];
    const at = Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8), +t.slice(0, 2), +t.slice(2, 4), +t.slice(4, 6)) / 1000;
    seconds += Math.max(0, at - SIM_START_S);
  }
  return seconds / 60;
}

/** The demo's temporary folder: the sample repository and the modal stand-in's home. */
function demoRoot(events: Event[]): string | undefined {
  const started = events.find((e) => e.type === 'run_started');
  return started?.type === 'run_started' && started.vars.repo ? dirname(started.vars.repo) : undefined;
}

function readEvents(home: string): Event[] {
  const runs = existsSync(join(home, 'runs')) ? readdirSync(join(home, 'runs')) : [];
  if (runs.length === 0) return [];
  const log = join(home, 'runs', runs[0]!, 'events.jsonl');
  // A run that died before its first event is an `error` row, not the end of the gauntlet.
  if (!existsSync(log)) return [];
  const text = readFileSync(log, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => Event.parse(JSON.parse(l)));
}

function run(args: string[], timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, ANTHROPIC_API_KEY: '' } });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}
