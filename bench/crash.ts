import { execFileSync } from 'node:child_process';
import { crashCase, ROOT, snapshotCli } from './crash-campaign.js';
import { killInstants, measureCase, seeded } from './crash-measure.js';

/**
 * `npm run bench -- crash`: the demo killed with SIGKILL at N seeded instants spread over its
 * whole length (default 50; CRASH_N and CRASH_SEED change them), each resumed and compared with
 * an uninterrupted run (bench/crash-measure.ts says how). Builds the CLI first: it kills the real binary.
 */
export async function run(): Promise<void> {
  const n = Number(process.env.CRASH_N ?? 50);
  const seed = Number(process.env.CRASH_SEED ?? 12);
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  snapshotCli();
  const baseline = await crashCase();
  const verdict = baseline.events.filter((e) => e.type === 'run_ended').at(-1);
  console.log(`uninterrupted: ${verdict?.type === 'run_ended' ? verdict.verdict : 'no verdict'} (exit ${baseline.code}) in ${(baseline.timeline.exitMs / 1000).toFixed(1)} s, ${baseline.events.length} events`);
  const instants = killInstants(baseline.timeline, n, seeded(seed));
  let same = 0;
  let dup = 0;
  let rerun = 0;
  let lost = 0;
  // CRASH_JOBS cases at a time: each case is one demo run, killed, then resumed.
  const jobs = Math.max(1, Number(process.env.CRASH_JOBS ?? 1));
  let next = 0;
  const worker = async () => {
    while (next < instants.length) {
      const i = next++;
      const at = instants[i]!;
      const c = await crashCase(at);
      const m = measureCase(baseline, c);
      same += m.same ? 1 : 0;
      dup += m.duplicatedPrompts;
      rerun += m.rerunCommands;
      lost += m.lostEvents;
      const where = `${c.before.length} events logged, last ${c.before.at(-1)?.type ?? 'none'}`;
      console.log(`  #${String(i + 1).padStart(2)} kill at event ${at.anchor} + ${at.delayMs} ms (${where}): ${m.same && m.why.length === 0 ? 'ok' : m.why.join('; ')}`);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  console.log(`crash: ${same}/${n} resumed to the same verdict, ${dup} duplicated prompts, ${rerun} rerun commands, ${lost} lost events`);
}
