import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { EnvironmentError, ExitCode, InputError, LintError, RunInterrupted, exitCodeOf, hookExitCodeOf, messageOf, verdictExitCode } from './errors.js';

const { Command } = createRequire(import.meta.url)('commander') as typeof import('commander');

/** What commander throws for a command line, with its output swallowed. */
function commanderError(argv: string[]): unknown {
  const program = new Command('labpilot').exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} }).version('1.0.0', '--version');
  program.command('run <playbook>').action(() => {});
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    return err;
  }
  throw new Error(`commander accepted ${argv.join(' ')}`);
}

const documented: number[] = Object.values(ExitCode);

describe('the one mapping from errors to exit codes', () => {
  it('gives each typed error its documented code', () => {
    expect(exitCodeOf(new InputError('bad', 'p.yaml:1:2'))).toBe(2);
    expect(exitCodeOf(new LintError(['p.yaml:1:1: x']))).toBe(2);
    expect(exitCodeOf(new EnvironmentError('no key'))).toBe(3);
    expect(exitCodeOf(new RunInterrupted('killed', 'r1'))).toBe(4);
  });

  it('ends an error nobody foresaw with 1 and says it is internal, never a code outside the set', () => {
    for (const err of [new TypeError('x is undefined'), Object.assign(new Error('EISDIR: illegal operation'), { code: 'EISDIR' }), 'a string']) {
      expect(exitCodeOf(err)).toBe(1);
      expect(messageOf(err)).toMatch(/^internal error: /);
    }
  });

  it('makes a bad command line bad input and --help or --version a success', () => {
    expect(exitCodeOf(commanderError(['nope']))).toBe(2);
    expect(exitCodeOf(commanderError(['run']))).toBe(2);
    expect(exitCodeOf(commanderError(['run', 'a', '--bogus']))).toBe(2);
    expect(exitCodeOf(commanderError(['--help']))).toBe(0);
    expect(exitCodeOf(commanderError(['--version']))).toBe(0);
  });

  it('maps every verdict into the documented set', () => {
    for (const code of Object.values(verdictExitCode)) expect(documented).toContain(code);
    expect(verdictExitCode.passed).toBe(0);
  });
});

describe("a failed hook call (Claude Code's hook protocol)", () => {
  it('exits 1 whatever the error, never 2, which would block Claude', () => {
    for (const err of [new InputError('bad hook input'), new EnvironmentError('x'), new RunInterrupted('y', 'r'), new Error('bug')]) {
      expect(hookExitCodeOf(err)).toBe(1);
    }
  });
});
