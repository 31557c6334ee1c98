import { loadPlaybook } from '../playbook/load.js';
import type { Check, Playbook, Remediation, Step } from '../playbook/schema.js';
import { renderTemplate } from '../playbook/template.js';

/**
 * `labpilot graph <playbook>`: the run a playbook compiles to, as a Mermaid `stateDiagram-v2`:
 * a state per step in order (and `next` jumps), the gates each step is judged on, the
 * remediations a step's output can fire and the step they retry, the checklist at the end.
 */
export async function graphCommand(o: { playbook: string; out?: NodeJS.WritableStream }): Promise<number> {
  const { playbook } = await loadPlaybook(o.playbook);
  (o.out ?? process.stdout).write(mermaid(playbook));
  return 0;
}

/** A Mermaid state id: letters, digits and underscores. */
const sid = (id: string) => id.replace(/\W/g, '_');
/** Text Mermaid shows as written: no colons, quotes or line breaks that end a label. */
const label = (s: string) =>
  s
    .replace(/[\r\n]+/g, ' ')
    .replace(/["':;{}<>#]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 80);

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
  }
}

/** The steps whose events can fire a rule: its `steps`, else those that make what it reads. */
function firingSteps(r: Remediation, steps: Step[]): Step[] {
  if (r.steps) return steps.filter((s) => r.steps!.includes(s.id));
  const sources = r.when.in ?? ['command_output', 'agent_text', 'tool_output'];
  return steps.filter((s) => {
    if (r.when.metric !== undefined || r.when.exit_code !== undefined) return s.kind === 'run';
    if (r.when.match === undefined) return true;
    return s.kind === 'run' ? sources.includes('command_output') : s.kind === 'prompt' && (sources.includes('agent_text') || sources.includes('tool_output'));
  });
}

function trigger(r: Remediation): string {
  if (r.when.match !== undefined) return `/${r.when.match}/`;
  if (r.when.metric !== undefined) return r.when.metric;
  if (r.when.exit_code !== undefined) return `exit ${r.when.exit_code}`;
  return `same failure ${r.when.repeated} times`;
}

/** A title with the variables' defaults filled in (`Smoke: 1 trial`); as written when one has none. */
function titled(pb: Playbook, text: string): string {
  const defaults = Object.fromEntries(Object.entries(pb.variables ?? {}).flatMap(([k, v]) => (v.default === undefined ? [] : [[k, String(v.default)]])));
  try {
    return renderTemplate(text, defaults);
  } catch {
    return text;
  }
}

export function mermaid(pb: Playbook): string {
  const out = ['stateDiagram-v2', `  %% ${label(pb.name)}`];
  const steps = pb.steps;
  for (const s of steps) {
    const name = [s.label, s.title && titled(pb, s.title)].filter(Boolean).join(', ');
    out.push(`  state "${label(`${s.id} (${s.kind})${name ? ` ${name}` : ''}`)}" as ${sid(s.id)}`);
  }
  out.push(`  [*] --> ${sid(steps[0]!.id)}`);
  steps.forEach((s, i) => {
    const next = s.next ?? steps[i + 1]?.id;
    const gates = s.kind === 'check' ? [...s.checks, ...(s.done_when ?? [])] : (s.done_when ?? []);
    const passed = gates.length > 0 ? `gates pass` : 'done';
    out.push(`  ${sid(s.id)} --> ${next ? sid(next) : 'checklist'} : ${passed}`);
    if (gates.length > 0) out.push(`  note right of ${sid(s.id)}`, ...gates.map((g) => `    gate ${label(gateName(g))}`), '  end note');
    if (s.on_fail === 'continue' && next) out.push(`  ${sid(s.id)} --> ${sid(next)} : failed, continue`);
  });
  for (const r of pb.remediations ?? []) {
    const id = `fix_${sid(r.id)}`;
    const { then } = r;
    const action = then.action;
    out.push(`  state "${label(`remediation ${r.id} (${action}, at most ${r.max_attempts})`)}" as ${id}`);
    for (const s of firingSteps(r, steps)) {
      out.push(`  ${sid(s.id)} --> ${id} : ${label(trigger(r))}`);
      out.push(then.action === 'abort' ? `  ${id} --> [*] : abort` : `  ${id} --> ${sid(then.retry ?? s.id)} : retry`);
    }
  }
  const items = pb.checklist ?? [];
  out.push(`  state "checklist (${items.length} items)" as checklist`, '  checklist --> [*]');
  if (items.length > 0) out.push('  note left of checklist', ...items.map((c) => `    ${label(c.item)}`), '  end note');
  return out.join('\n') + '\n';
}
