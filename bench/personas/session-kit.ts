import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { ScriptedSessionInput } from '../../src/standin/session-schema.js';
import type { Persona, PersonaRun } from './personas.js';
import { prng } from '../generators/log-noise.js';

/**
 * The pieces personas are built from: the demo's own scripted agent (the diligent story of
 * playbooks/sessions/rsd-phase3.yaml), turn builders, and a seeded choice. A persona is that
 * story with one behaviour changed, so every persona works against the real stand-ins and the
 * errors it meets come from the code it wrote.
 */
export type Turn = ScriptedSessionInput['turns'][number];

export const SCRIPT = 'RVQExperiment/phase3/modal_phase3_libero_eval.py';
export const SUMMARY = 'RVQExperiment/phase3/results/SUMMARY.md';
export const EDITED = 'replaced 1 occurrence in RVQExperiment/phase3/modal_phase3_libero_eval\\.py';
/** The first line of the step prompt of task n, and of its retry (same prompt, feedback appended). */
export const taskPrompt = (n: number): string => `## Task ${n} of 4`;

const BASE = fileURLToPath(new URL('../../playbooks/sessions/rsd-phase3.yaml', import.meta.url));

/** A fresh copy of the demo's story. */
export function baseTurns(): Turn[] {
  return (parse(readFileSync(BASE, 'utf8')) as ScriptedSessionInput).turns;
}

export function find(turns: Turn[], id: string): Turn {
  const t = turns.find((x) => x.id === id);
  if (!t) throw new Error(`no turn ${id} in the demo session`);
  return t;
}

/** The edit_file input of a turn (the task implementations and fixes are one edit each). */
export function editOf(turns: Turn[], id: string): { path: string; old_string: string; new_string: string } {
  const block = find(turns, id).reply.find((b) => 'tool_use' in b);
  if (!block || !('tool_use' in block)) throw new Error(`turn ${id} has no tool call`);
  return block.tool_use.input as { path: string; old_string: string; new_string: string };
}

export function without(turns: Turn[], ...ids: string[]): Turn[] {
  for (const id of ids) find(turns, id);
  return turns.filter((t) => !ids.includes(t.id ?? ''));
}

/** `turns` with `added` placed right after the turn `id` (before it when `before`). */
export function insertAt(turns: Turn[], id: string, added: Turn[], before = false): Turn[] {
  const i = turns.indexOf(find(turns, id)) + (before ? 0 : 1);
  return [...turns.slice(0, i), ...added, ...turns.slice(i)];
}

/** Before the catch-all, which answers anything and so must stay last. */
export function beforeCatchAll(turns: Turn[], added: Turn[]): Turn[] {
  return insertAt(turns, 'catch-all', added, true);
}

export const persona = (name: string, behaviour: string, make: (seed: number) => PersonaRun): Persona => ({ name, behaviour, make });

export const say = (id: string, when: string, text: string, repeat = false): Turn => ({ id, when, repeat, reply: [{ text }] });

export const edit = (id: string, when: string, text: string, old_string: string, new_string: string, path = SCRIPT): Turn => ({
  id,
  when,
  reply: [{ text }, { tool_use: { name: 'edit_file', input: { path, old_string, new_string } } }],
});

export const write = (id: string, when: string, text: string, path: string, content: string, repeat = false): Turn => ({
  id,
  when,
  repeat,
  reply: [{ text }, { tool_use: { name: 'write_file', input: { path, content } } }],
});

export const bash = (id: string, when: string, text: string, command: string, repeat = false): Turn => ({
  id,
  when,
  repeat,
  reply: [{ text }, { tool_use: { name: 'bash', input: { command } } }],
});

/** Replaces the new code of a task's edit: `fn` gets the code as written in the demo story. */
export function rewriteTask(turns: Turn[], n: number, fn: (code: string) => string): void {
  const e = editOf(turns, `task${n}`);
  const next = fn(e.new_string);
  if (next === e.new_string) throw new Error(`task ${n}: the rewrite changed nothing`);
  e.new_string = next;
}

/** Adds lines just before the last line of a task's code (its `return`), at the body's indent. */
export function beforeReturn(code: string, lines: string): string {
  const body = code.replace(/\n+$/, '').split('\n');
  const last = body.pop()!;
  return [...body, ...lines.split('\n').map((l) => `    ${l}`), last].join('\n') + '\n';
}

/**
 * The two mistakes of the demo story, each optional: Task 1 in bf16 (CUDA out of memory) and
 * Task 2 without stripping `module.` (checkpoint keys). A mistake left out is written correctly
 * at once (the fix folded into the task) and its fix turns are dropped; by default both are.
 */
export function withMistakes(keep = { oom: false, keys: false }): Turn[] {
  let turns = baseTurns();
  const fold = (task: number, fix: string) => {
    const f = editOf(turns, fix);
    rewriteTask(turns, task, (code) => code.replace(f.old_string, f.new_string));
    turns = without(turns, fix, `${fix}-done`);
  };
  if (!keep.oom) fold(1, 'fix-cuda-oom');
  if (!keep.keys) fold(2, 'fix-checkpoint-keys');
  return turns;
}

/** The seed's entry, in turn: seeds 0 to n-1 meet each of n entries once (`rng` picks at random). */
export const inTurn = <T>(seed: number, xs: readonly T[]): T => xs[seed % xs.length]!;

/** The task a seed picks, in turn, from tasks `from` to `to`. */
export const taskOf = (seed: number, from = 1, to = 4): number => from + (seed % (to - from + 1));

/** A small deterministic generator (the noise log's mulberry32): the same seed picks the same variant. */
export function rng(seed: number): { pick<T>(xs: readonly T[]): T; int(lo: number, hi: number): number } {
  // Small seeds are spread over the whole state first, so seeds 0, 1, 2 differ from the first draw.
  const next = prng((seed * 0x9e3779b1 + 0x6d2b79f5) >>> 0);
  return {
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
  };
}

const TEMPLATE = fileURLToPath(new URL('../../templates/sample-experiment/', import.meta.url));

/** A file of the sample experiment as it ships (to check an edit's old_string against it). */
export const templateText = (path: string): string => readFileSync(TEMPLATE + path, 'utf8');

/** `code` with `from` replaced by `to`; throws unless `from` occurs exactly once. */
export function swap(code: string, from: string, to: string): string {
  const at = code.indexOf(from);
  if (at < 0 || code.indexOf(from, at + 1) >= 0) throw new Error(`expected exactly one ${JSON.stringify(from.slice(0, 60))}`);
  return code.slice(0, at) + to + code.slice(at + from.length);
}

/** Code written as it stands in the file (function body indented) -> a region edit's new_string. */
export const region = (code: string): string => code.replace(/^\n+/, '').replace(/^ +/, '').replace(/\n*$/, '\n');

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The tool result of an edit of `path`, and of a write to it, as `when` regexes. */
export const editedIn = (path: string): string => `replaced 1 occurrence in ${escape(path)}`;
export const wroteTo = (path: string): string => `wrote \\d+ bytes to ${escape(path)}`;
