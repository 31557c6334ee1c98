import { type CompiledPlaybook, rulesFor } from '../engine/context.js';
import { machineGraph, type GraphTransition } from '../engine/graph.js';
import { compiled } from '../playbook/compile.js';
import { loadPlaybook } from '../playbook/load.js';
import type { Check, Playbook } from '../playbook/schema.js';
import { renderTemplate } from '../playbook/template.js';

/**
 * `labpilot graph <playbook>`: the XState machine a run of the playbook takes, as a Mermaid
 * `stateDiagram-v2`. Each step is a composite state holding the phases the machine has for it
 * (deciding, agent, running, checking), with its gates as a note on `checking`; a remediation is
 * the edge its failure takes; the checklist and the end follow. Mermaid draws no edge between
 * states inside two different composites, so an edge from one step to another is drawn between
 * the steps, and inside each the phases it leaves from (`--> [*]`) and enters at (`[*] -->`).
 */
export async function graphCommand(o: { playbook: string; out?: NodeJS.WritableStream }): Promise<number> {
  const loaded = await loadPlaybook(o.playbook);
  // The machine's shape does not depend on the variables' values.
  (o.out ?? process.stdout).write(mermaid(compiled(loaded.playbook, loaded.prompts, {})));
  return 0;
}

/**
 * Text as Mermaid shows it: no line break, nor a character its state-diagram lexer reads as
 * syntax in a description (`:` `;` `"` `#` `%` braces), nor `direction XX`, which it reads as a
 * layout statement wherever it stands on a line.
 */
const text = (s: string, max = 80): string =>
  s
    .replace(/[\r\n]+/g, ' ')
    .replace(/>=/g, '≥')
    .replace(/<=/g, '≤')
    // `<` opens an HTML tag in the label Mermaid renders.
    .replace(/</g, '‹')
    .replace(/["':;{}#%]/g, ' ')
    .replace(/(direction)\s+(?=(tb|bt|rl|lr))/gi, '$1 - ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max);

/** A Mermaid id: letters, digits and underscores, prefixed so no step id reads as a keyword. */
const stepNode = (step: string) => `s_${step.replace(/\W/g, '_')}`;
const phaseNode = (step: string, phase: string) => `${stepNode(step)}__${phase}`;

/** Where a machine state is drawn: the top-level node, and the phase node inside a step. */
function place(id: string): { top: string; inner?: string } {
  if (id === 'idle') return { top: '[*]' };
  const m = /^steps\.(.+)\.(\w+)$/.exec(id);
  return m ? { top: stepNode(m[1]!), inner: phaseNode(m[1]!, m[2]!) } : { top: id };
}

const EVENT_WORDS: Record<string, string> = {
  run_started: 'run started',
  decision: 'decision',
  agent_turn_ended: 'turn ended',
  command_exited: 'command exited',
  gate_judged: 'gates',
};

/** What takes an edge, in words: `gates failed - cuda-oom`, `decision skip`, `turn ended after fix-this-error`. */
function edgeText(t: GraphTransition): string {
  if (t.label?.startsWith('budget')) return t.label;
  if (t.from === 'checklist') return 'checklist judged';
  const words = EVENT_WORDS[t.on] ?? t.on;
  return text(t.label === undefined ? words : `${words} ${t.label.replace(': ', ' - ')}`);
}

/** Edges keyed by their two ends, the words of every transition between them merged. */
class Edges {
  private readonly byEnds = new Map<string, { from: string; to: string; words: Set<string> }>();
  add(from: string, to: string, words?: string): void {
    const key = `${from} ${to}`;
    const edge = this.byEnds.get(key) ?? { from, to, words: new Set<string>() };
    if (words) edge.words.add(words);
    this.byEnds.set(key, edge);
  }
  lines(indent: string): string[] {
    return [...this.byEnds.values()].map((e) => `${indent}${e.from} --> ${e.to}${e.words.size ? ` : ${merged(e.words)}` : ''}`);
  }
}

/** `gates failed - a, gates failed - b` as `gates failed - a, b`: one head, the rules after it. */
function merged(words: Set<string>): string {
  const heads = new Map<string, string[]>();
  for (const w of words) {
    const [, head = w, tail] = /^(.*? (?:-|after)) (.+)$/.exec(w) ?? [];
    heads.set(head, [...(heads.get(head) ?? []), ...(tail === undefined ? [] : [tail])]);
  }
  // A long list of rules is named in the step's note; the edge names the first few.
  const some = (tails: string[]) => (tails.length > MAX_NAMED ? `${tails.slice(0, MAX_NAMED - 1).join(', ')} and ${tails.length - MAX_NAMED + 1} more` : tails.join(', '));
  return [...heads].map(([head, tails]) => (tails.length ? `${head} ${some(tails)}` : head)).join(', ');
}

const MAX_NAMED = 4;

/** Names separated by commas, as lines of at most `width` characters. */
function wrapped(names: string[], width: number): string[] {
  const lines: string[] = [];
  names.forEach((n, i) => {
    const item = i < names.length - 1 ? `${n},` : n;
    if (lines.length > 0 && lines[lines.length - 1]!.length + item.length < width) lines[lines.length - 1] += ` ${item}`;
    else lines.push(item);
  });
  return lines;
}

function gateName(c: Check): string {
  if (c.name) return c.name;
  switch (c.check) {
    case 'metric':
      return c.expr;
    case 'exit_code':
      return `exit ${c.equals}`;
    case 'file_exists':
    case 'file_matches':
      return `${c.check} ${c.path}`;
    case 'python':
      return `python ${c.script}`;
    case 'command':
      return `command ${c.run}`;
    case 'output_matches':
      return `output ~ /${c.regex}/`;
    case 'agree':
      return `${c.figure} ~ ${c.with}`;
    case 'editable_only':
    case 'code_ran':
    case 'results_agree':
    case 'reviewer':
      return c.check;
  }
}

/** A title with the variables' defaults filled in (`Smoke: 1 trial`); as written when one has none. */
function titled(pb: Playbook, title: string): string {
  const defaults = Object.fromEntries(Object.entries(pb.variables ?? {}).flatMap(([k, v]) => (v.default === undefined ? [] : [[k, String(v.default)]])));
  try {
    return renderTemplate(title, defaults);
  } catch {
    return title;
  }
}

export function mermaid(pb: CompiledPlaybook): string {
  const playbook = pb.playbook;
  const graph = machineGraph(pb);
  const top = new Edges();
  const inner = new Map(playbook.steps.map((s) => [s.id, new Edges()]));
  for (const t of graph.transitions) {
    const from = place(t.from);
    const to = place(t.to);
    const words = edgeText(t);
    if (from.top === to.top && from.inner && to.inner) {
      inner.get(t.from.split('.')[1]!)!.add(from.inner, to.inner, words);
      continue;
    }
    top.add(from.top, to.top, words);
    if (from.inner) inner.get(t.from.split('.')[1]!)!.add(from.inner, '[*]');
    if (to.inner) inner.get(t.to.split('.')[1]!)!.add('[*]', to.inner);
  }

  const out = ['stateDiagram-v2', `  %% ${text(playbook.name)}, the machine a run takes (labpilot graph)`];
  for (const step of playbook.steps) {
    const name = [step.label, step.title && titled(playbook, step.title)].filter(Boolean).join(', ');
    out.push(`  state "${text(`${step.id} (${step.kind})${name ? ` ${name}` : ''}`)}" as ${stepNode(step.id)}`);
    out.push(`  state ${stepNode(step.id)} {`);
    const phases = graph.states.filter((s) => s.step === step.id);
    for (const s of phases) out.push(`    state "${s.phase}" as ${phaseNode(step.id, s.phase!)}`);
    out.push(...inner.get(step.id)!.lines('    '));
    const gates = step.kind === 'check' ? [...step.checks, ...(step.done_when ?? [])] : (step.done_when ?? []);
    const rules = rulesFor(pb, step.id).map((r) => text(r.id));
    if (phases.some((s) => s.phase === 'checking') && gates.length + rules.length > 0) {
      const said = [...gates.map((g) => `gate ${text(gateName(g))}`), ...(rules.length ? [`remediations (${rules.length})`, ...wrapped(rules, 76)] : [])];
      out.push(`    note right of ${phaseNode(step.id, 'checking')}`, ...said.map((l) => `      ${l}`), '    end note');
    }
    out.push('  }');
  }
  if (graph.states.some((s) => s.id === 'checklist')) {
    const items = playbook.checklist ?? [];
    out.push(`  state "checklist (${items.length} item${items.length === 1 ? '' : 's'})" as checklist`);
    if (items.length > 0) out.push('  note left of checklist', ...items.map((c) => `    ${text(c.item)}`), '  end note');
  }
  out.push('  state "run ended, verdict logged" as ended');
  out.push(...top.lines('  '), '  ended --> [*]');
  return out.join('\n') + '\n';
}
