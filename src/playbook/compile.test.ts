import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { compilePlaybook } from './compile.js';
import { loadPlaybook } from './load.js';

const YAML = `name: p
variables:
  min_success: { default: 0.8 }
  label: { default: fast }
  trials: { type: integer, default: 5 }
steps:
  - id: go
    kind: run
    command: echo hi
    done_when:
      - { check: metric, expr: "rate >= {{min_success}}" }
      - { check: metric, expr: "episodes >= {{trials}} * 10" }
`;

async function load(yaml = YAML) {
  const dir = mkdtempSync(path.join(tmpdir(), 'labpilot-compile-'));
  const file = path.join(dir, 'pb.yaml');
  writeFileSync(file, yaml);
  return { file, loaded: await loadPlaybook(file) };
}

function failure(f: () => unknown): InputError {
  try {
    f();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('compilePlaybook', () => {
  it('binds well-typed values', async () => {
    const { loaded } = await load();
    expect(compilePlaybook(loaded, { min_success: '0.5', trials: '3' }).vars).toMatchObject({ min_success: '0.5', trials: '3' });
  });

  it('rejects a value that would change an expression, on one line with where and why', async () => {
    const { file, loaded } = await load();
    const err = failure(() => compilePlaybook(loaded, { min_success: '0.5)' }));
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(`${file}:3:16: --var min_success='0.5)' is not a number (its default is 0.8)`);
    expect(err.message).not.toContain('\n');
  });

  it('checks a declared type', async () => {
    const { loaded } = await load();
    expect(failure(() => compilePlaybook(loaded, { trials: '2.5' })).message).toMatch(/--var trials='2.5' is not an integer \(declared type: integer\)/);
  });

  it('finds a string variable used as a number at the expression that uses it', async () => {
    const { file, loaded } = await load(YAML.replace('rate >= {{min_success}}', 'rate >= {{min_success}} + {{label}}'));
    const err = failure(() => compilePlaybook(loaded, {}));
    expect(err.message).toBe(`${file}:11:59: variable 'label' is 'fast', not a number: 'rate >= {{min_success}} + {{label}}' needs a number there`);
  });

  it('suggests the declared name for a misspelt --var', async () => {
    const { loaded } = await load();
    expect(failure(() => compilePlaybook(loaded, { min_sucess: '1' })).message).toMatch(/unknown variable 'min_sucess' \(did you mean 'min_success'\?/);
  });
});

describe('early_stop figures written with variables', () => {
  const yaml = `name: p
variables:
  min_success: { type: number, default: 0.8 }
  trials: { type: integer, default: 50 }
steps:
  - id: go
    kind: run
    command: echo hi
    metrics:
      - { name: successes, regex: "successes: (\\\\d+)" }
      - { name: episodes, regex: "episodes: (\\\\d+)" }
    early_stop:
      successes: successes
      episodes: episodes
      target: "{{min_success}}"
      task_episodes: "{{trials}}"
`;

  it('are judged with their values when the playbook compiles, located, not when the stage starts', async () => {
    const { file, loaded } = await load(yaml);
    expect(compilePlaybook(loaded, {}).vars).toMatchObject({ min_success: '0.8' });
    const rate = failure(() => compilePlaybook(loaded, { min_success: '1.5' }));
    expect(rate.message).toBe(`${file}:13:7: early_stop.target: '{{min_success}}' is 1.5, not a rate in (0, 1)`);
    expect(rate.exitCode).toBe(2);
    expect(failure(() => compilePlaybook(loaded, { trials: '0' })).message).toBe(`${file}:13:7: early_stop.task_episodes: '{{trials}}' is 0, not a positive whole number`);
  });
});
