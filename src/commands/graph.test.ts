import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { machineGraph } from '../engine/graph.js';
import { compiled } from '../playbook/compile.js';
import { loadPlaybook } from '../playbook/load.js';
import { Playbook } from '../playbook/schema.js';
import { packageRoot } from '../package-root.js';
import { mermaid } from './graph.js';

const twoSteps = compiled(
  Playbook.parse({
    name: 'two-steps',
    steps: [
      { id: 'fix-it', kind: 'prompt', title: 'Ask: fix "it"', prompt: 'Fix it.' },
      { id: 'verify', kind: 'run', command: 'make test', done_when: [{ check: 'exit_code', equals: 0 }, { check: 'metric', expr: 'tests_run >= 1', name: 'tests ran' }] },
      // Ids Mermaid's lexer would read as keywords, and a title it would read as a layout statement.
      { id: 'state', kind: 'check', title: 'direction LR; note: {x}', checks: [{ check: 'file_exists', path: 'out.json' }] },
    ],
    remediations: [
      { id: 'assertion', when: { match: '^AssertionError: (.*)$', in: ['command_output'] }, then: { prompt: 'Fix {{match}}.' }, steps: ['verify'] },
      { id: 'stuck', when: { exit_code: 'nonzero', repeated: 3 }, then: { abort: 'stuck' }, steps: ['verify'] },
      { id: 'clean', when: { exit_code: 3 }, then: { run: 'rm -rf cache' }, steps: ['verify'] },
    ],
    checklist: [{ item: 'tests pass', verify: { check: 'command', run: 'make test' } }],
  }),
  {},
  {},
);

const shipped = await Promise.all(['fix-failing-test', 'rsd-phase3'].map(async (name) => loadPlaybook(path.join(packageRoot(), 'playbooks', `${name}.yaml`))));
const playbooks = [twoSteps, ...shipped.map((l) => compiled(l.playbook, l.prompts, {}))];

interface Drawing {
  /** Composite id -> the ids declared inside it; '' is the top level. */
  scopes: Map<string, Set<string>>;
  /** Each edge with the composite it is drawn in. */
  edges: Array<{ scope: string; from: string; to: string; label?: string }>;
  descriptions: Map<string, string>;
}

/**
 * Reads the drawing as the statements of Mermaid's state-diagram grammar (its jison lexer: an
 * id is `[^:\n\s\-{]+`, a description after `:` is `[^:\n;]+`, a line holding `direction XX`
 * is a layout statement, `state` `note` `class` `default` start their own statements) and
 * throws at the first line that is not one, or that Mermaid cannot draw: an undeclared state,
 * or an edge between states of two different composites.
 */
function parse(text: string): Drawing {
  const lines = text.split('\n');
  if (lines[0] !== 'stateDiagram-v2' || lines.at(-1) !== '') throw new Error('not a stateDiagram-v2 ending in a newline');
  const scopes = new Map<string, Set<string>>([['', new Set()]]);
  const stack = [''];
  const edges: Drawing['edges'] = [];
  const descriptions = new Map<string, string>();
  const ID = String.raw`(?!(?:state|note|class|classDef|default|end)\b)[A-Za-z_]\w*`;
  let inNote = false;
  lines.slice(1, -1).forEach((raw, i) => {
    const where = `line ${i + 2}: ${raw}`;
    const line = raw.trim();
    const scope = stack.at(-1)!;
    const declared = scopes.get(scope)!;
    let m: RegExpExecArray | null;
    if (/direction\s+(tb|bt|rl|lr)/i.test(line)) throw new Error(`${where}: read as a direction statement`);
    if (inNote) {
      if (line === 'end note') inNote = false;
      return;
    }
    if (line.startsWith('%%')) return;
    if ((m = new RegExp(`^state "([^"]*)" as (${ID})$`).exec(line))) {
      declared.add(m[2]!);
      descriptions.set(m[2]!, m[1]!);
    } else if ((m = new RegExp(`^state (${ID}) \\{$`).exec(line))) {
      if (!declared.has(m[1]!)) throw new Error(`${where}: composite not declared first`);
      scopes.set(m[1]!, new Set());
      stack.push(m[1]!);
    } else if (line === '}') {
      if (stack.length === 1) throw new Error(`${where}: unbalanced`);
      stack.pop();
    } else if ((m = new RegExp(`^note (left|right) of (${ID})$`).exec(line))) {
      if (!declared.has(m[2]!)) throw new Error(`${where}: note on an undeclared state`);
      inNote = true;
    } else if ((m = new RegExp(`^(\\[\\*\\]|${ID}) --> (\\[\\*\\]|${ID})(?: : ([^:\\n;]+))?$`).exec(line))) {
      for (const end of [m[1]!, m[2]!]) if (end !== '[*]' && !declared.has(end)) throw new Error(`${where}: ${end} is not a state of this composite`);
      edges.push({ scope, from: m[1]!, to: m[2]!, ...(m[3] !== undefined && { label: m[3] }) });
    } else throw new Error(`${where}: not a statement Mermaid reads`);
  });
  if (stack.length !== 1 || inNote) throw new Error('a composite or a note is not closed');
  return { scopes, edges, descriptions };
}

describe('graph', () => {
  it.each(playbooks.map((pb) => [pb.playbook.name, pb] as const))('%s: statements Mermaid reads, every step a composite of its phases', (_name, pb) => {
    const drawing = parse(mermaid(pb));
    for (const step of pb.playbook.steps) {
      const node = [...drawing.descriptions].find(([, d]) => d.startsWith(`${step.id} (${step.kind})`))?.[0];
      expect(node, step.id).toBeDefined();
      expect(drawing.scopes.has(node!), step.id).toBe(true);
    }
    expect(drawing.scopes.get('')).toEqual(new Set([...drawing.scopes.keys()].filter((k) => k !== '').concat(pb.playbook.checklist?.length ? ['checklist', 'ended'] : ['ended'])));
  });

  it.each(playbooks.map((pb) => [pb.playbook.name, pb] as const))('%s: the edges are the machine transitions, no more', (_name, pb) => {
    const drawing = parse(mermaid(pb));
    const node = (id: string) => (id === 'idle' ? { top: '[*]' } : /^steps\.(.+)\.(\w+)$/.test(id) ? { top: `s_${id.split('.')[1]!.replace(/\W/g, '_')}`, phase: id.split('.')[2] } : { top: id });
    const drawn = new Set(drawing.edges.map((e) => `${e.scope}|${e.from}|${e.to}`));
    const explained = new Set<string>(['|ended|[*]']);
    for (const t of machineGraph(pb).transitions) {
      const [from, to] = [node(t.from), node(t.to)];
      const inner = (n: { top: string; phase?: string }) => `${n.top}__${n.phase}`;
      const expected =
        from.top === to.top && from.phase && to.phase
          ? [`${from.top}|${inner(from)}|${inner(to)}`]
          : [`|${from.top}|${to.top}`, ...(from.phase ? [`${from.top}|${inner(from)}|[*]`] : []), ...(to.phase ? [`${to.top}|[*]|${inner(to)}`] : [])];
      for (const e of expected) expect(drawn, `${t.from} -> ${t.to} (${t.on})`).toContain(e);
      for (const e of expected) explained.add(e);
    }
    expect([...drawn].filter((e) => !explained.has(e))).toEqual([]);
  });

  it('names the events, the remediations and the gates a person reads', () => {
    const lines = mermaid(twoSteps).split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        '  state "fix-it (prompt) Ask fix it" as s_fix_it',
        '  state s_verify {',
        '    [*] --> s_verify__running',
        '    s_verify__running --> s_verify__checking : command exited',
        '    s_verify__checking --> s_verify__deciding : gates failed - assertion',
        '    s_verify__checking --> s_verify__running : gates failed - clean',
        '    s_verify__running --> s_verify__running : command exited after clean',
        '      gate exit 0',
        '      gate tests ran',
        '  state "state (check) direction - LR note x" as s_state',
        '  s_verify --> s_state : gates passed',
        '  s_verify --> ended : gates failed, gates failed - stuck, decision abort, budget or attempts spent',
        '  state "checklist (1 item)" as checklist',
        '  [*] --> s_fix_it : run started',
        '  ended --> [*]',
      ]),
    );
    // A prompt step runs no command here: the machine never reaches its `running` phase.
    expect(lines.join('\n')).not.toContain('s_fix_it__running');
  });

  it('throws on what Mermaid would not read', () => {
    expect(() => parse('stateDiagram-v2\n  state a {\n    a1 --> b1\n  }\n')).toThrow(/composite not declared/);
    expect(() => parse('stateDiagram-v2\n  state "A" as a\n  state a {\n    state "x" as x\n  }\n  state "B" as b\n  state b {\n    state "y" as y\n  }\n  x --> y\n')).toThrow(/not a state of this composite/);
    expect(() => parse('stateDiagram-v2\n  state "A" as a\n  a --> a : 3: ok\n')).toThrow(/not a statement/);
    expect(() => parse('stateDiagram-v2\n  state "A" as default\n')).toThrow(/not a statement/);
  });
});
