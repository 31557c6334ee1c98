import { beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, labpilot, type CliResult } from '../helpers/cli.js';

/**
 * `labpilot lint` as a user meets it: the real binary, its exit code and its two streams. What
 * each problem says is pinned by src/commands/lint.test.ts; this is about the process contract.
 */
const BROKEN = 'tests/fixtures/broken';
const brokenFixtures = readdirSync(join(ROOT, BROKEN)).filter((f) => f.endsWith('.yaml')).sort();
const playbooks = readdirSync(join(ROOT, 'playbooks')).filter((f) => f.endsWith('.yaml')).map((f) => join('playbooks', f));

const LOCATED = /^(?<file>[^\s:][^:]*):(?<line>\d+):(?<col>\d+): (?<message>\S.*)$/;
// What a leaked exception looks like: V8 frames, an error class name with its message, node's caret line.
const STACK = /^\s+at |\n\s+at |^\w*Error: |node:internal|^\s*\^+\s*$/m;

// Paths relative to the package root, as typed there; the binary runs with that as its cwd.
const lint = (files: string[]) => labpilot(['lint', ...files]).done;

describe('labpilot lint, the binary', () => {
  it('passes every shipped playbook with exit 0 and one ok line each', async () => {
    expect(playbooks.length).toBeGreaterThan(0);
    const r = await lint(playbooks);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual(playbooks.map((p) => `ok ${p}`));
  });

  describe('on each broken fixture', () => {
    const results = new Map<string, CliResult>();
    beforeAll(async () => {
      const all = await Promise.all(brokenFixtures.map((f) => lint([join(BROKEN, f)])));
      brokenFixtures.forEach((f, i) => results.set(f, all[i]!));
    });

    it('has at least five of them', () => {
      expect(brokenFixtures.length).toBeGreaterThanOrEqual(5);
    });

    it.each(brokenFixtures)('%s: exits 2 with only file:line:col: message lines on stderr', (name) => {
      const r = results.get(name)!;
      expect(r.code).toBe(2);
      expect(r.signal).toBeNull();
      expect(r.stdout).toBe('');
      expect(r.stderr.endsWith('\n')).toBe(true);
      const lines = r.stderr.trimEnd().split('\n');
      for (const line of lines) {
        const at = LOCATED.exec(line)?.groups;
        expect(at, line).toBeDefined();
        // Located in the playbook itself, or in a prompt file next to it.
        expect(at!.file!.startsWith(BROKEN + '/'), line).toBe(true);
        expect(Number(at!.line)).toBeGreaterThanOrEqual(1);
        expect(Number(at!.col)).toBeGreaterThanOrEqual(1);
      }
      expect(r.stderr).not.toMatch(STACK);
    });
  });

  it('reports every broken file of one invocation, and still exits 2', async () => {
    const files = brokenFixtures.map((f) => join(BROKEN, f));
    const r = await lint(files);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const named = new Set(r.stderr.trimEnd().split('\n').map((l) => LOCATED.exec(l)!.groups!.file));
    // undefined-var-prompt.yaml is reported at the prompt file that uses the variable.
    const expected = files.map((f) => (f.endsWith('undefined-var-prompt.yaml') ? join(BROKEN, 'prompts', 'fix-oom.md') : f));
    expect([...named].sort()).toEqual([...new Set(expected)].sort());
  });

  it('reports a file that does not exist as one located line, exit 2', async () => {
    const r = await lint(['playbooks/no-such-playbook.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^playbooks\/no-such-playbook\.yaml:1:1: .+\n$/);
    expect(r.stderr).not.toMatch(STACK);
  });
});
