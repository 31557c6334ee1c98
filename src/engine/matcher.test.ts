import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import type { Source } from '../events/schema.js';
import { compileMatcher, type MatchRule, type StreamMatch } from './matcher.js';
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

function collect(rules: MatchRule[], chunks: Array<string | Uint8Array>, source: Source = 'command_output'): StreamMatch[] {
  const out: StreamMatch[] = [];
  const scanner = compileMatcher(rules).createScanner(source, (m) => out.push(m));
  for (const c of chunks) scanner.push(c);
  scanner.end();
  return out;
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

describe('streaming scan', () => {
  const text = [
    'Step 10/500 | loss 0.4321',
    'Traceback (most recent call last):',
    '  File "/root/eval.py", line 190, in load_draft',
    "KeyError: 'model_state_dict'",
    'Error: Got unexpected extra argument (False)',
    'done',
  ].join('\n');

  it('finds the same matches however the text is cut into chunks, as strings or bytes', () => {
    const expected = naive(RULES, text, 'command_output');
    expect(expected.map((e) => e.id)).toEqual(['traceback', 'key', 'any_error', 'modal_arg', 'any_error']);
    const bytes = Buffer.from(text);
    for (const size of [1, 2, 3, 7, 64, 1 << 20]) {
      const strChunks: string[] = [];
      const byteChunks: Buffer[] = [];
      for (let i = 0; i < text.length; i += size) strChunks.push(text.slice(i, i + size));
      for (let i = 0; i < bytes.length; i += size) byteChunks.push(bytes.subarray(i, i + size));
      const strip = (ms: StreamMatch[]) => ms.map(({ id, groups, line }) => ({ id, groups, line }));
      expect(strip(collect(RULES, strChunks))).toEqual(expected);
      expect(strip(collect(RULES, byteChunks))).toEqual(expected);
    }
  });

  it('reports one offset per line, shared by the rules that hit it', () => {
    const ms = collect(RULES, [text]);
    const key = ms.filter((m) => m.line.startsWith('KeyError'));
    expect(key).toHaveLength(2);
    expect(key[0]?.offset).toBe(key[1]?.offset);
    expect(text.slice(key[0]?.offset)).toMatch(/^KeyError/);
  });

  it('treats CRLF as one terminator and a lone CR as a line end (progress bars)', () => {
    const crlf = 'ok\r\nTraceback (most recent call last):\r\nKeyError: \'state_dict\'\r\n';
    for (const chunks of [[crlf], crlf.split('\n').map((s, i, a) => (i < a.length - 1 ? s + '\n' : s)), [...crlf]]) {
      const ms = collect(RULES, chunks);
      expect(ms.map((m) => [m.id, m.line])).toEqual([
        ['traceback', 'Traceback (most recent call last):'],
        ['key', "KeyError: 'state_dict'"],
        ['any_error', "KeyError: 'state_dict'"],
      ]);
    }
    const bar = '\r 10%|█         | 1/10\r 20%|██        | 2/10\rTraceback (most recent call last):\n';
    expect(collect(RULES, [bar]).map((m) => m.id)).toEqual(['traceback']);
  });

  it('flushes a last line without a newline at end()', () => {
    const m = compileMatcher(RULES);
    const seen: string[] = [];
    m.scan("KeyError: 'model_state_", 'command_output', (x) => seen.push(x.id));
    m.scan("dict'", 'command_output', (x) => seen.push(x.id));
    expect(seen).toEqual([]);
    m.end('command_output', (x) => seen.push(x.id));
    expect(seen).toEqual(['key', 'any_error']);
  });

  it('keeps separate partial lines per source', () => {
    const m = compileMatcher(RULES);
    const seen: string[] = [];
    m.scan('KeyError: ', 'command_output', (x) => seen.push(`${x.id}:${x.line}`));
    m.scan('nothing here\n', 'tool_output', (x) => seen.push(`${x.id}:${x.line}`));
    m.scan("'state_dict'\n", 'command_output', (x) => seen.push(`${x.id}:${x.line}`));
    expect(seen).toEqual(["key:KeyError: 'state_dict'", "any_error:KeyError: 'state_dict'"]);
  });

  it('matches the beginning of a 1 MB line, ignores what lies past the cap, and recovers after it', () => {
    const long = "KeyError: 'model_state_dict' " + 'x'.repeat(1 << 20) + " KeyError: 'state_dict'";
    const input = `${long}\nEOFError: EOF when reading a line\n`;
    const chunks: string[] = [];
    for (let i = 0; i < input.length; i += 64 * 1024) chunks.push(input.slice(i, i + 64 * 1024));
    const ms = collect(RULES, chunks);
    expect(ms.map((m) => [m.id, m.groups[0]])).toEqual([
      ['key', 'model_state_dict'],
      ['any_error', 'Error'],
      ['any_error', 'Error'],
    ]);
    expect(ms[0]?.line.length).toBe(64 * 1024);
    expect(ms[2]?.line).toBe('EOFError: EOF when reading a line');
    // The same long line inside one chunk is cut the same way.
    expect(collect(RULES, [input]).map((m) => m.line.length)).toEqual([65536, 65536, 33]);
  });

  it('holds memory bounded while a process writes 256 MB without a newline', () => {
    const scanner = compileMatcher(RULES).createScanner('command_output', () => {});
    const chunk = 'x'.repeat(1 << 20);
    scanner.push('Traceback (most recent call last): ');
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 256; i++) scanner.push(chunk);
    const grown = process.memoryUsage().heapUsed - before;
    scanner.end();
    expect(grown).toBeLessThan(32 * 1024 * 1024);
  });

  it('agrees with a line-by-line reference on mixed noise, rules without literals included', () => {
    // With only literal rules bytes are scanned as bytes; a rule without a literal forces text.
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
        const bytes = Buffer.from(text);
        const chunks: Buffer[] = [];
        for (let i = 0; i < bytes.length; ) {
          const n = 1 + rnd(40);
          chunks.push(bytes.subarray(i, i + n));
          i += n;
        }
        for (const rules of [RULES, withRaw]) {
          const expected = naive(rules, text.replace(/(\r\n|\r|\n)$/, ''), source);
          const got = collect(rules, chunks, source).map(({ id, groups, line }) => ({ id, groups, line }));
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
