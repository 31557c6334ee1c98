import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { Playbook } from './schema.js';
import { parseVarArgs, resolveVariables } from './variables.js';

const pb = (variables: unknown): Playbook =>
  Playbook.parse({ name: 'p', variables, steps: [{ id: 'a', kind: 'prompt', prompt: 'x' }] });

describe('resolveVariables', () => {
  const declared = pb({
    repo: { description: 'repo', required: true },
    trials: { default: 50 },
    verbose: { default: false },
    note: { required: false },
  });

  it('stringifies defaults and lets --var override them', () => {
    expect(resolveVariables(declared, { repo: 'git@x', trials: '5' })).toEqual({
      repo: 'git@x',
      trials: '5',
      verbose: 'false',
      note: '',
    });
  });

  it('names a missing required variable and how to pass it', () => {
    expect(() => resolveVariables(declared, {})).toThrow(new InputError("missing required variable 'repo' (pass --var repo=...)"));
  });

  it('treats a variable without default as required unless it says required: false', () => {
    expect(() => resolveVariables(pb({ suite: {} }), {})).toThrow(/missing required variable 'suite'/);
  });

  it('rejects an undeclared --var and lists the declared ones', () => {
    expect(() => resolveVariables(declared, { repo: 'r', trails: '5' })).toThrow(
      new InputError("unknown variable 'trails' (did you mean 'trials'? declared: repo, trials, verbose, note)"),
    );
    expect(() => resolveVariables(pb(undefined), { x: '1' })).toThrow(/unknown variable 'x' \(declared: none\)/);
  });

  it('rejects a number too large to be finite, which would read as Infinity', () => {
    const numbers = pb({ target: { type: 'number', default: 0.5 }, trials: { type: 'integer', default: 1 } });
    expect(() => resolveVariables(numbers, { target: '1e999' })).toThrow(new InputError("--var target='1e999' is too large to be a number (declared type: number)"));
    expect(() => resolveVariables(numbers, { trials: '9'.repeat(400) })).toThrow(/--var trials='9+' is too large to be an integer/);
    expect(resolveVariables(numbers, { target: '1e300' }).target).toBe('1e300');
  });
});

describe('parseVarArgs', () => {
  it('splits at the first = and keeps the rest of the value', () => {
    expect(parseVarArgs(['repo=https://x/y?a=b', 'empty=', 'trials=5', 'trials=6'])).toEqual({
      repo: 'https://x/y?a=b',
      empty: '',
      trials: '6',
    });
  });

  it.each(['novalue', '=x', 'bad key=1'])('rejects %j', (arg) => {
    expect(() => parseVarArgs([arg])).toThrow(InputError);
    expect(() => parseVarArgs([arg])).toThrow(/expected name=value/);
  });
});
