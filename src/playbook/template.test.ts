import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { renderTemplate, shellQuote, templateVariables } from './template.js';

/** Runs a rendered command line through a real bash and returns what it printed. */
const bash = (script: string): string => execFileSync('bash', ['-c', script], { encoding: 'utf8' });

describe('renderTemplate', () => {
  it('substitutes names with optional spaces and dotted names', () => {
    const vars = { repo: 'r', 'match.1': 'prismatic', 'metrics.full.success_rate': '0.86' };
    expect(renderTemplate('{{repo}} {{ match.1 }} {{  metrics.full.success_rate }}', vars)).toBe('r prismatic 0.86');
  });

  it('writes \\{{ as a literal {{ and leaves non-names alone', () => {
    expect(renderTemplate('\\{{repo}} {{ a b }} {{repo}}', { repo: 'x' })).toBe('{{repo}} {{ a b }} x');
  });

  it('names an undefined variable, with where when given', () => {
    expect(() => renderTemplate('run {{ nope }}', {})).toThrow(new InputError("undefined variable 'nope'"));
    try {
      renderTemplate('{{nope}}', {}, { where: 'p.md:3:14' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).message).toBe("p.md:3:14: undefined variable 'nope'");
    }
  });

  it.each([
    "'; rm -rf / #",
    '$(touch /tmp/pwned-labpilot)',
    '`id`',
    'a b\tc\nd',
    "it's \"quoted\" \\ $HOME ${PATH} !! *",
    '',
  ])('with shell: true a value reaches the command as one literal word: %j', (value) => {
    const command = renderTemplate("printf '[%s]' {{v}} {{v}}", { v: value }, { shell: true });
    expect(bash(command)).toBe(`[${value}][${value}]`);
  });

  it('leaves the template text itself unquoted in shell mode', () => {
    expect(renderTemplate('cd {{w}} && ls', { w: '/tmp/a b' }, { shell: true })).toBe("cd '/tmp/a b' && ls");
  });
});

describe('shellQuote', () => {
  it('quotes single quotes POSIX-style', () => {
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(bash(`printf %s ${shellQuote("'; rm -rf / #")}`)).toBe("'; rm -rf / #");
  });
});

describe('templateVariables', () => {
  it('lists references with their offsets, skipping escaped ones', () => {
    expect(templateVariables('a {{x}}\n\\{{y}} {{ match.2 }}')).toEqual([
      { name: 'x', index: 2, raw: '{{x}}' },
      { name: 'match.2', index: 15, raw: '{{ match.2 }}' },
    ]);
  });
});
