import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lintCommand } from './lint.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Fixture paths as a user would type them from the current directory. */
const fixture = (p: string): string => path.relative(process.cwd(), path.join(root, 'tests/fixtures', p));

async function lint(...files: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await lintCommand(files, { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

describe('labpilot lint on broken playbooks', () => {
  it.each([
    ['unknown-key.yaml', '5:5', "unknown key 'titel'"],
    ['bad-enum.yaml', '6:14', "on_fail: invalid value 'retry' (allowed: abort, continue)"],
    ['missing-field.yaml', '3:5', "missing field 'command'"],
    ['bad-regex.yaml', '9:14', 'Invalid regular expression: /ModuleNotFoundError: (unclosed/: Unterminated group'],
    ['missing-prompt.yaml', '5:13', `prompt file not found: prompts/does-not-exist.md (looked in ${fixture('broken')} and the labpilot package)`],
    ['missing-script.yaml', '8:17', `python script not found: checks/not-there.py (looked in ${fixture('broken')} and python/)`],
    ['unreachable-step.yaml', '7:9', "unreachable step 'orphan'"],
    ['undefined-var-yaml.yaml', '8:63', "undefined variable 'repo_url'"],
    ['undefined-var-block.yaml', '7:30', "undefined variable 'suite'"],
    ['for-each-undeclared.yaml', '8:22', "for_each binds 'suite', which is not a declared variable"],
    ['bad-expression.yaml', '6:35', `invalid expression: expected a number, a name or "(" but found 'and'`],
    ['bad-expression-quoted.yaml', '8:55', 'invalid expression: expected a number, a name or "(" but the expression ended'],
    ['unknown-step.yaml', '12:20', "unknown step 'smok' (steps: smoke)"],
    ['duplicate-id.yaml', '6:9', "duplicate step id 'smoke'"],
    ['yaml-syntax.yaml', '6:1', 'YAML syntax: Missing closing "quote'],
  ])('%s: reports %s %s and exits 2', async (name, at, message) => {
    const file = fixture(`broken/${name}`);
    const { code, out, err } = await lint(file);
    expect(err).toBe(`${file}:${at}: ${message}\n`);
    expect(out).toBe('');
    expect(code).toBe(2);
  });

  it('locates an undefined variable inside the prompt file that uses it', async () => {
    const { code, err } = await lint(fixture('broken/undefined-var-prompt.yaml'));
    expect(err).toBe(`${fixture('broken/prompts/fix-oom.md')}:3:12: undefined variable 'batch_size'\n`);
    expect(code).toBe(2);
  });

  it('reports every problem of a file in one pass, in file order', async () => {
    const file = fixture('broken/many-problems.yaml');
    const { code, err } = await lint(file);
    expect(err.trimEnd().split('\n')).toEqual([
      `${file}:5:40: undefined variable 'suite'`,
      `${file}:6:5: unknown key 'colour'`,
      `${file}:9:16: Invalid regular expression: /rate: ([0-9.]+/: Unterminated group`,
      `${file}:10:11: unknown step 'nowhere' (steps: smoke)`,
      `${file}:14:21: invalid expression: expected a number, a name or "(" but the expression ended`,
      `${file}:16:7: then needs exactly one of prompt, run, ask, abort, escalate`,
    ]);
    expect(code).toBe(2);
  });

  it('reads a missing playbook as one located line, never a stack trace', async () => {
    const { code, err } = await lint('no/such/playbook.yaml');
    expect(err).toBe('no/such/playbook.yaml:1:1: cannot read playbook (ENOENT)\n');
    expect(code).toBe(2);
  });
});

describe('labpilot lint on clean playbooks', () => {
  it('prints ok for the good playbook and exits 0', async () => {
    const file = fixture('playbooks/good.yaml');
    expect(await lint(file)).toEqual({ code: 0, out: `ok ${file}\n`, err: '' });
  });

  it('exits 2 when any one of several files has a problem', async () => {
    const good = fixture('playbooks/good.yaml');
    const bad = fixture('broken/unknown-key.yaml');
    const { code, out, err } = await lint(good, bad);
    expect(out).toBe(`ok ${good}\n`);
    expect(err).toBe(`${bad}:5:5: unknown key 'titel'\n`);
    expect(code).toBe(2);
  });

  it('asks for a file when given none', async () => {
    const { code, err } = await lint();
    expect(code).toBe(2);
    expect(err).toMatch(/at least one playbook/);
  });
});
