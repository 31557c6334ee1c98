import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { personas } from './personas.js';

/**
 * `npx tsx bench/personas/write-session.ts NAME SEED [FILE]`: one persona's scripted session as
 * YAML (to FILE, else stdout), to play it alone with `labpilot demo --session FILE`.
 */
const [name, seed = '0', file] = process.argv.slice(2);
const persona = personas.find((p) => p.name === name);
if (!persona || !/^\d+$/.test(seed)) {
  console.error(`usage: write-session.ts NAME SEED [FILE]; NAME is one of ${personas.map((p) => p.name).join(', ')}`);
  process.exit(2);
}
const spec = persona.make(Number(seed));
const text = `# ${persona.name} (seed ${seed}): ${persona.behaviour}; ${spec.variant}. Expected: ${spec.expected}.\n${stringify(spec.session, { lineWidth: 0 })}`;
if (file) writeFileSync(file, text);
else process.stdout.write(text);
