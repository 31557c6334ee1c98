import { readFileSync } from 'node:fs';
import { InputError, LintError, exitCodeOf, messageOf } from '../errors.js';
import { loadPlaybook } from '../playbook/load.js';
import { parseVarArgs, resolveVariables } from '../playbook/variables.js';
import { type StepReading, readStep } from '../output/read-step.js';
import { compiled } from '../playbook/compile.js';

export interface ParseOptions {
  playbook: string;
  log: string;
  step?: string;
  exitCode?: string;
  vars?: string[];
  json?: boolean;
  out?: { write(s: string): unknown };
  err?: { write(s: string): unknown };
}

/**
 * `labpilot parse <playbook> <log-file>`: what a run step would make of a saved output, running
 * nothing (src/output/read-step.ts). Bad input is one line on stderr and exit 2.
 */
export async function parseCommand(o: ParseOptions): Promise<number> {
  const out = o.out ?? process.stdout;
  const err = o.err ?? process.stderr;
  try {
    const { pb, step, exitCode, text } = await inputs(o);
    const r = await readStep(pb, step, text, { logFile: o.log, exitCode, cwd: process.cwd() });
    out.write(o.json ? JSON.stringify({ metrics: r.metrics, triggers: r.triggers, gates: r.gates, remediation: r.remediation, ...(r.notJudged.length > 0 && { not_judged: r.notJudged }) }) + '\n' : plain(r, o.log));
    return 0;
  } catch (e) {
    const problem = e instanceof LintError ? `${e.problems[0]}${e.problems.length > 1 ? ` (and ${e.problems.length - 1} more: labpilot lint ${o.playbook})` : ''}` : messageOf(e);
    err.write(`labpilot parse: ${problem}\n`);
    return exitCodeOf(e);
  }
}

async function inputs(o: ParseOptions) {
  const loaded = await loadPlaybook(o.playbook);
  const playbook = loaded.playbook;
  const given = parseVarArgs(o.vars ?? []);
  // Nothing is cloned or run, so a variable nobody gave and without a default is empty.
  const blanks = Object.entries(playbook.variables ?? {}).filter(([k, d]) => !(k in given) && d.default === undefined);
  const vars = resolveVariables(playbook, { ...Object.fromEntries(blanks.map(([k]) => [k, ''])), ...given });
  const runSteps = playbook.steps.filter((s) => s.kind === 'run').map((s) => s.id);
  const step = o.step ?? runSteps[0];
  if (step === undefined) throw new InputError(`${o.playbook} has no run step`);
  if (!runSteps.includes(step)) throw new InputError(`--step ${step}: not a run step of ${playbook.name} (run steps: ${runSteps.join(', ')})`);
  let exitCode: number | undefined;
  if (o.exitCode !== undefined) {
    if (!/^-?\d+$/.test(o.exitCode)) throw new InputError(`--exit-code ${o.exitCode}: not an integer`);
    exitCode = Number(o.exitCode);
  }
  let text: string;
  try {
    text = readFileSync(o.log, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read ${o.log}: ${(e as NodeJS.ErrnoException).code ?? messageOf(e)}`);
  }
  const pb = compiled(playbook, loaded.prompts, vars);
  return { pb, step, exitCode, text };
}

function plain(r: StepReading, log: string): string {
  const lines = [`${log}: ${r.lines} lines read as step '${r.step}'`, 'metrics:'];
  for (const [k, v] of Object.entries(r.metrics)) lines.push(`  ${k} = ${v}`);
  lines.push(r.triggers.length > 0 ? 'triggers:' : 'triggers: none');
  for (const t of r.triggers) lines.push(`  ${t.remediation}: ${t.line}`);
  lines.push('gates:');
  for (const g of r.gates) lines.push(`  ${g.passed ? 'pass' : 'FAIL'} ${g.check}: ${g.detail}`);
  for (const n of r.notJudged) lines.push(`  ---- ${n}: not judged (needs the workspace, or --exit-code)`);
  if (!r.remediation) lines.push('remediation: none');
  else {
    lines.push(`remediation: ${r.remediation.id} (${r.remediation.action})`);
    for (const l of r.remediation.text.split('\n')) lines.push(`  | ${l}`);
  }
  return lines.join('\n') + '\n';
}
