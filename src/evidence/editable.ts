import picomatch from 'picomatch';
import type { Editable } from '../playbook/schema.js';

/**
 * The parts of a repository the playbook lets the agent change (`editable:`): whole files by
 * glob, and regions of files between a begin and an end marker line. Everything else must stay
 * as it was cloned; see evaluated-tree.ts.
 */
export interface EditableParts {
  /** Whether the whole file (present or new) is the agent's. */
  isFile(path: string): boolean;
  /** Whether the file is an output no stage loads (a result, a note): outside the evaluated tree. */
  isOutput(path: string): boolean;
  /** The markers of the file's regions, when it has some. */
  regionsOf(path: string): { begin: RegExp; end: RegExp } | undefined;
  /** In words, for refusals and prompts. */
  describe(): string;
}

export function editableParts(spec: Editable): EditableParts {
  // dot: a glob like `results/**` covers `results/.keep` too; nothing here is a secret list.
  const files = (spec.files ?? []).map((g) => picomatch(g, { dot: true }));
  const outputs = (spec.outputs ?? []).map((g) => picomatch(g, { dot: true }));
  const regions = (spec.regions ?? []).map((r) => ({ path: r.path, begin: new RegExp(r.begin), end: new RegExp(r.end) }));
  return {
    isFile: (path) => files.some((m) => m(path)),
    isOutput: (path) => outputs.some((m) => m(path)),
    regionsOf: (path) => regions.find((r) => r.path === path),
    describe: () =>
      [...(spec.regions ?? []).map((r) => `the marked regions of ${r.path}`), ...(spec.files ?? []), ...(spec.outputs ?? [])].join(', ') || 'nothing',
  };
}

/** A file cut at its region markers: the text outside (markers included) and the regions' bodies. */
export interface RegionCut {
  outside: string[];
  bodies: string[];
  /** A begin without its end (or an end without a begin): the file's regions cannot be told apart. */
  broken?: string;
}

export function cutRegions(text: string, markers: { begin: RegExp; end: RegExp }): RegionCut {
  const outside: string[] = [];
  const bodies: string[] = [];
  let body: string[] | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (body === undefined) {
      if (markers.end.test(line)) return { outside, bodies, broken: `line ${i + 1}: an end marker outside a region` };
      outside.push(line);
      if (markers.begin.test(line)) body = [];
    } else if (markers.end.test(line)) {
      bodies.push(body.join('\n'));
      outside.push(line);
      body = undefined;
    } else if (markers.begin.test(line)) {
      return { outside, bodies, broken: `line ${i + 1}: a begin marker inside a region` };
    } else {
      body.push(line);
    }
  }
  if (body !== undefined) return { outside, bodies, broken: 'a region is not closed' };
  return { outside, bodies };
}
