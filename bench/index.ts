import { benches } from './registry.js';

/**
 * `npm run bench [-- name...]`: runs every bench, or the named ones, in registry order. Each
 * prints its own figures; a bench that throws marks the whole run failed (exit 1) but the
 * others still run.
 */
async function main(argv: string[]): Promise<number> {
  const unknown = argv.filter((n) => !benches.some((b) => b.name === n));
  if (unknown.length > 0) {
    console.error(`unknown bench: ${unknown.join(', ')} (known: ${benches.map((b) => b.name).join(', ')})`);
    return 2;
  }
  const selected = argv.length > 0 ? benches.filter((b) => argv.includes(b.name)) : benches;
  let failed = 0;
  for (const bench of selected) {
    console.log(`== ${bench.name}`);
    try {
      await bench.run();
    } catch (err) {
      failed++;
      console.log(`FAILED ${bench.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return failed > 0 ? 1 : 0;
}

// A bench may already have set a failing exit code itself; keep it.
process.exitCode = (await main(process.argv.slice(2))) || process.exitCode || 0;
