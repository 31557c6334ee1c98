import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import type { Source } from '../events/schema.js';
import { compileMatcher, type MatchRule } from './matcher.js';
import { requiredLiterals } from './matcher-literals.js';

const RULES: MatchRule[] = [
  { id: 'oom', regex: 'CUDA out of memory\\. Tried to allocate ([0-9.]+) ([KMG]iB)' },
  { id: 'key', regex: "KeyError: '(model_state_dict|state_dict)'" },
  { id: 'module', regex: "No module named '([A-Za-z_.]+)'(, did you mean)?" },
  { id: 'traceback', regex: '^Traceback \\(most recent call last\\):$' },
  { id: 'modal_arg', regex: 'Error: Got unexpected extra argument \\(([^)]*)\\)', sources: ['command_output'] },
  { id: 'agent_gave_up', regex: 'I (cannot|can.t) (fix|continue)', sources: ['agent_text'] },
  { id: 'any_error', regex: '(Error|Exception):' },
];

/** Every line of `text` through matchLine, as a run feeds its normalised lines. */
function collect(rules: MatchRule[], text: string, source: Source = 'command_output'): Array<{ id: string; groups: string[]; line: string }> {
  const m = compileMatcher(rules);
  return text.split(/\r\n|\r|\n/).flatMap((line) => m.matchLine(line, source).map(({ id, groups }) => ({ id, groups, line })));
}

/** The obvious implementation the matcher must agree with: split, then test every rule. */
function naive(rules: MatchRule[], text: string, source: Source): Array<{ id: string; groups: string[]; line: string }> {
  const out: Array<{ id: string; groups: string[]; line: string }> = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    for (const r of rules) {
      if (r.sources && !r.sources.includes(source)) continue;
      const m = new RegExp(r.regex).exec(line);
      if (m) out.push({ id: r.id, groups: m.slice(1).map((g) => g ?? ''), line });
    }
  }
  return out;
}

describe('matchLine', () => {
  it('attributes a line to every matching rule, in rule order, with its groups', () => {
    const m = compileMatcher(RULES);
    expect(m.matchLine("KeyError: 'model_state_dict'", 'command_output')).toEqual([
      { id: 'key', groups: ['model_state_dict'] },
      { id: 'any_error', groups: ['Error'] },
    ]);
    expect(m.matchLine('torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 324.00 MiB. GPU 0', 'command_output')).toEqual([
      { id: 'oom', groups: ['324.00', 'MiB'] },
      { id: 'any_error', groups: ['Error'] },
    ]);
    expect(m.matchLine('Episode 3 finished, success rate 0.9', 'command_output')).toEqual([]);
  });

  it('gives an empty string for a capture group that did not take part', () => {
    const m = compileMatcher(RULES);
    expect(m.matchLine("ModuleNotFoundError: No module named 'prismatic'", 'command_output')[0]).toEqual({
      id: 'module',
      groups: ['prismatic', ''],
    });
  });

  it('applies a rule only to its sources', () => {
    const m = compileMatcher(RULES);
    const modal = 'Error: Got unexpected extra argument (False)';
    expect(m.matchLine(modal, 'command_output').map((x) => x.id)).toEqual(['modal_arg', 'any_error']);
    expect(m.matchLine(modal, 'agent_text').map((x) => x.id)).toEqual(['any_error']);
    expect(m.matchLine("I can't fix this without the weights", 'agent_text').map((x) => x.id)).toEqual(['agent_gave_up']);
    expect(m.matchLine("I can't fix this without the weights", 'tool_output')).toEqual([]);
  });

  it('rejects an invalid regex with an input error naming the rule', () => {
    expect(() => compileMatcher([{ id: 'bad', regex: 'oops(' }])).toThrow(InputError);
    expect(() => compileMatcher([{ id: 'bad', regex: 'oops(' }])).toThrow(/bad/);
  });
});

describe('prefiltered matching', () => {
  it('matches the beginning of a 1 MB line and ignores what lies past the cap', () => {
    const long = "KeyError: 'model_state_dict' " + 'x'.repeat(1 << 20) + " KeyError: 'state_dict'";
    expect(collect(RULES, `${long}\nEOFError: EOF when reading a line`).map((m) => [m.id, m.groups[0], m.line.length])).toEqual([
      ['key', 'model_state_dict', long.length],
      ['any_error', 'Error', long.length],
      ['any_error', 'Error', 33],
    ]);
    expect(compileMatcher(RULES, { maxLineChars: 20 }).matchLine(`${'x'.repeat(20)}KeyError: 'state_dict'`, 'command_output')).toEqual([]);
  });

  it('agrees with a line-by-line reference on mixed noise, rules without literals included', () => {
    // Rules without a literal run on every line; their matches still come in rule order.
    const withRaw: MatchRule[] = [...RULES, { id: 'number_only', regex: '^[0-9]+$' }, { id: 'spaces', regex: '^ +[a-z]' }];
    const pieces = [
      'Step 1 | loss 0.1', '42', '  indented', 'KeyError: \'state_dict\'', '', 'Traceback (most recent call last):',
      'No module named \'experiments\', did you mean', '✓ Created objects.', 'x Error: y', '\r 5%|▌ |', 'I cannot continue',
    ];
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const seps = ['\n', '\r\n', '\r'];
    for (let round = 0; round < 30; round++) {
      let text = '';
      for (let i = 0; i < 60; i++) text += pieces[rnd(pieces.length)] + (seps[rnd(3)] as string);
      for (const source of ['command_output', 'agent_text'] as const) {
        for (const rules of [RULES, withRaw]) {
          const expected = naive(rules, text, source);
          const got = collect(rules, text, source);
          expect(got).toEqual(expected);
        }
      }
    }
  });
});

describe('required literals', () => {
  it('finds the literal every match must contain', () => {
    expect(requiredLiterals('CUDA out of memory\\. Tried to allocate ([0-9.]+)')).toEqual(['CUDA out of memory. Tried to allocate ']);
    expect(requiredLiterals("KeyError: '(model_state_dict|state_dict)'")).toEqual(["KeyError: '"]);
    expect(requiredLiterals("Key: '(model_state_dict|state_dict)'")).toEqual(['model_state_dict', 'state_dict']);
    expect(requiredLiterals('(EOFError: EOF|Bad file descriptor)')).toEqual(['EOFError: EOF', 'Bad file descriptor']);
    expect(requiredLiterals('[Ll]oss is nan')).toEqual(['Loss is nan', 'loss is nan']);
  });

  it('proves nothing from optional, repeated or class parts', () => {
    expect(requiredLiterals('(foo)?bar')).toEqual(['bar']);
    expect(requiredLiterals('(foobar)?ba')).toBeNull();
    expect(requiredLiterals('^[0-9]+$')).toBeNull();
    expect(requiredLiterals('abc|de')).toBeNull();
    expect(requiredLiterals('(?=Error)[A-Z]')).toBeNull();
    expect(requiredLiterals('Error(?=:)')).toEqual(['Error']);
    expect(requiredLiterals('ab*cdef')).toEqual(['cdef']);
    expect(requiredLiterals('a\\d{2}bcd')).toEqual(['bcd']);
  });
});
