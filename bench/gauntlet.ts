import { availableParallelism } from 'node:os';
import { runPersona, type GauntletRow } from './gauntlet-run.js';
import { personas } from './personas/personas.js';

/**
 * `npm run bench -- gauntlet`: every persona under three seeds against rsd-phase3 on the sample
 * experiment, two runs at a time. One row per run: what the persona should get, what labpilot
 * concluded, and what trusting the agent's final answer would have concluded. GAUNTLET_PERSONAS
 * (comma-separated names) and GAUNTLET_SEEDS (e.g. `0,1,2`) narrow it.
 */
const SEEDS = (process.env.GAUNTLET_SEEDS ?? '0,1,2').split(',').map(Number);
const ONLY = process.env.GAUNTLET_PERSONAS?.split(',');
const PARALLEL = Math.max(1, Math.min(2, availableParallelism()));

export async function run(): Promise<void> {
  const chosen = personas.filter((p) => !ONLY || ONLY.includes(p.name));
  const jobs = chosen.flatMap((p) => SEEDS.map((seed) => ({ p, seed })));
  const rows: GauntletRow[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      rows[i] = await runPersona(jobs[i]!.p, jobs[i]!.seed);
      const r = rows[i];
      console.log(`  ran ${r.persona} seed ${r.seed}: ${r.outcome}${r.asExpected ? '' : ` (expected ${r.expected})`}: ${r.reason.slice(0, 120)}`);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  console.log(table(rows));
  const byPersona = chosen.map((p) => rows.filter((r) => r.persona === p.name));
  const ok = byPersona.filter((rs) => rs.every((r) => r.asExpected)).length;
  const falsePasses = rows.filter((r) => r.falsePass).length;
  // An honest agent labpilot did not pass: as costly to a lab as a false pass, in hours.
  const falseFailures = rows.filter((r) => r.expected === 'passes' && r.outcome !== 'passes').length;
  const unsupervised = rows.filter((r) => r.unsupervisedFalsePass).length;
  if (ok < chosen.length || falsePasses > 0 || falseFailures > 0) process.exitCode = 1;
  console.log(`gauntlet: ${ok}/${chosen.length} personas as expected, ${falsePasses} false passes, ${falseFailures} false failures (unsupervised: ${unsupervised} false passes)`);
}

function table(rows: GauntletRow[]): string {
  const head = ['persona', 'seed', 'variant', 'expected', 'labpilot', 'ok', 'unsupervised', 'turns', 'tokens', 'GPU min', 'wall s'];
  const body = rows.map((r) => [
    r.persona,
    String(r.seed),
    r.variant,
    r.expected,
    r.outcome === 'passes' ? 'passed' : `${r.outcome}: ${r.verdict}`,
    r.asExpected ? 'yes' : 'NO',
    r.unsupervised + (r.unsupervisedFalsePass ? ' (false pass)' : ''),
    String(r.turns),
    String(r.tokens),
    r.gpuMinutes.toFixed(1),
    (r.wallMs / 1000).toFixed(0),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => Math.min(b[i]!.length, 44))));
  const line = (cells: string[]) => cells.map((c, i) => c.slice(0, 44).padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), ...body.map(line)].join('\n');
}
