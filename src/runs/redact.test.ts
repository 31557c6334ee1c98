import { describe, expect, it } from 'vitest';
import type { CommandRequest } from '../ports.js';
import { isSensitiveName, redactingCommands, Redactor } from './redact.js';

// Built from pieces so that this file itself holds no key-shaped string a scanner would flag.
const shape = (prefix: string, body: string) => prefix + body;

describe('Redactor', () => {
  const r = new Redactor({});

  it.each([
    ['Anthropic', shape('sk-ant-', 'api03-AbCdEfGhIjKlMnOpQrStUvWx')],
    ['OpenAI project', shape('sk-proj-', 'AbCdEfGhIjKlMnOpQrStUvWx1234')],
    ['OpenAI', shape('sk-', 'AbCdEfGhIjKlMnOpQrStUvWx1234')],
    ['GitHub', shape('ghp_', 'AbCdEfGhIjKlMnOpQrStUvWx0123456789')],
    ['AWS', shape('AKIA', 'IOSFODNN7EXAMPLE')],
    ['Hugging Face', shape('hf_', 'AbCdEfGhIjKlMnOpQrStUvWx')],
    ['Modal token id', shape('ak-', 'AbCdEfGhIjKlMnOpQrStUv')],
    ['Modal token secret', shape('as-', 'AbCdEfGhIjKlMnOpQrStUv')],
    ['Google API', shape('AIza', 'SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q')],
    ['GitLab personal access', shape('glpat-', 'xYz1AbC2dEf3GhI4jKl5')],
    ['GitLab deploy', shape('gldt-', 'xYz1AbC2dEf3GhI4jKl5')],
    ['npm', shape('npm_', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8')],
    ['JWT', shape('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9', '.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c')],
    ['Hugging Face (letters)', shape('hf_', 'AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh')],
  ])('masks a %s key wherever it appears in a line', (_name, key) => {
    expect(r.redact(`token=${key} and "${key}".`)).toBe('token=[REDACTED] and "[REDACTED]".');
    expect(r.holdsSecret(key)).toBe(true);
  });

  it('masks the base64 of a sensitive value, whatever its alignment in the encoded text', () => {
    const red = new Redactor({ MODAL_TOKEN_SECRET: shape('as-', 'RedTeamModalTokenSecret1') });
    for (const prefix of ['', 'x', 'xy', 'MODAL_TOKEN_SECRET=']) {
      const encoded = Buffer.from(`${prefix}${shape('as-', 'RedTeamModalTokenSecret1')}\n`).toString('base64');
      expect(red.redact(encoded), prefix).toContain('[REDACTED]');
    }
  });

  it('masks private key blocks, bearer tokens and passwords in URLs', () => {
    const pem = ['-----BEGIN OPENSSH PRIVATE KEY-----', 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmU=', '-----END OPENSSH PRIVATE KEY-----'].join('\n');
    expect(r.redact(`key:\n${pem}\ndone`)).toBe('key:\n[REDACTED]\ndone');
    expect(r.redact('Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig')).toBe('Authorization: Bearer [REDACTED]');
    expect(r.redact('git clone https://bob:hunter2secret@example.com/repo.git')).toBe('git clone https://bob:[REDACTED]@example.com/repo.git');
  });

  it('leaves look-alikes alone: words ending in sk-, short ids, ordinary text', () => {
    for (const text of ['task-scheduler-configuration-manager', 'ask-me-anything', 'as-is', 'sk-short', 'Ran 2 tests in 0.001s']) {
      expect(r.redact(text)).toBe(text);
    }
  });

  it('masks the values of sensitive environment variables, longest first', () => {
    const env = { MODAL_TOKEN_SECRET: 'plain-looking-value-1', PGPASSWORD: 'correct horse', MY_TOKEN: 'plain-looking-value-1-long', GIT_AUTHOR_NAME: 'labpilot-bot', SHORT_KEY: 'abc' };
    const red = new Redactor(env);
    expect(red.redact('a plain-looking-value-1-long b plain-looking-value-1 c correct horse')).toBe('a [REDACTED] b [REDACTED] c [REDACTED]');
    expect(red.redact('by labpilot-bot, abc')).toBe('by labpilot-bot, abc');
  });

  it('redacts every string of a nested value', () => {
    const key = shape('hf_', 'AbCdEfGhIjKlMnOpQrStUvWx');
    expect(r.deep({ a: [key, 1, { b: `x ${key}` }], n: null })).toEqual({ a: ['[REDACTED]', 1, { b: 'x [REDACTED]' }], n: null });
  });
});

describe('isSensitiveName', () => {
  it('judges the parts of a name, not substrings', () => {
    for (const n of ['ANTHROPIC_API_KEY', 'HF_TOKEN', 'MODAL_TOKEN_ID', 'AWS_SECRET_ACCESS_KEY', 'PGPASSWORD', 'GITHUB_PAT', 'APIKEY', 'basic_auth']) {
      expect(isSensitiveName(n)).toBe(true);
    }
    for (const n of ['GIT_AUTHOR_NAME', 'KEYBOARD', 'TOKENIZERS_PARALLELISM', 'PATH', 'ANTHROPIC_BASE_URL', 'HOME']) {
      expect(isSensitiveName(n)).toBe(false);
    }
  });
});

describe('redactingCommands', () => {
  it('hands every output line to the listener already redacted', async () => {
    const secret = 'value-of-the-modal-secret';
    const lines: string[] = [];
    const inner = {
      async run(req: CommandRequest) {
        req.onLine?.(`token is ${secret}`, 'stdout');
        req.onLine?.('plain line', 'stderr');
        return { exitCode: 0, signal: null, durationMs: 1, timedOut: false };
      },
    };
    const runner = redactingCommands(inner, new Redactor({ MODAL_TOKEN_SECRET: secret }));
    await runner.run({ commandId: 'c1', command: 'x', cwd: '.', onLine: (l) => lines.push(l) });
    expect(lines).toEqual(['token is [REDACTED]', 'plain line']);
  });

  it('redacts output that arrives as chunks, a secret cut between two reads included, and keeps its bytes', async () => {
    const secret = 'value-of-the-modal-secret';
    const chunks: Array<[string, string]> = [];
    const inner = {
      async run(req: CommandRequest) {
        req.onChunk?.(Buffer.from(`step 1\r\ntoken is ${secret.slice(0, 9)}`), 'stdout');
        req.onChunk?.(Buffer.from('warning\n'), 'stderr');
        req.onChunk?.(Buffer.from(`${secret.slice(9)} ok\nlast`), 'stdout');
        return { exitCode: 0, signal: null, durationMs: 1, timedOut: false };
      },
    };
    const runner = redactingCommands(inner, new Redactor({ MODAL_TOKEN_SECRET: secret }));
    await runner.run({ commandId: 'c1', command: 'x', cwd: '.', onChunk: (c, stream) => chunks.push([stream, c.toString()]) });
    expect(chunks).toEqual([
      ['stdout', 'step 1\r\n'],
      ['stderr', 'warning\n'],
      ['stdout', 'token is [REDACTED] ok\n'],
      ['stdout', 'last'],
    ]);
  });
});

describe('credential files a stage may read', () => {
  it('mask their values, plainly and in base64, and quadratic inputs stay linear', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { credentialValues } = await import('./secret-files.js');
    const home = mkdtempSync(join(tmpdir(), 'labpilot-home-'));
    const toml = '[default]\ntoken_id = "tok1d-0123456789abcdef"\ntoken_secret = "shh-secret-0123456789abcdef"\nactive = true\n';
    writeFileSync(join(home, '.modal.toml'), toml);
    const r = new Redactor({}, credentialValues(['~/.modal.toml'], home));
    const b64 = Buffer.from(toml).toString('base64');
    expect(r.redact(toml)).not.toMatch(/0123456789abcdef/);
    expect(r.redact(b64)).not.toContain(Buffer.from('shh-secret-0123456789abcdef').toString('base64').slice(4, 24));
    expect(r.redact('active = true')).toBe('active = true');
    const spaces = ' '.repeat(1_000_000);
    const t0 = Date.now();
    expect(r.redact(`Bearer${spaces}x`)).toHaveLength(spaces.length + 7);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });
});
