import { describe, expect, it } from 'vitest';
import { Redactor } from '../runs/redact.js';
import { sandboxEnv } from './env.js';

const HOST = {
  PATH: '/usr/bin',
  LANG: 'C.UTF-8',
  LC_ALL: 'C',
  HOME: '/home/u',
  ANTHROPIC_API_KEY: 'sk-ant-api03-xxxxxxxxxxxxxxxxxxxxxxxx',
  AWS_PROFILE: 'prod',
  GOOGLE_APPLICATION_CREDENTIALS: '/home/u/key.json',
  MODAL_TOKEN_ID: 'ak-AbCdEfGhIjKlMnOpQrSt',
  MODAL_STANDIN_HOME: '/tmp/m',
  PYTHONPATH: 'hf_AbCdEfGhIjKlMnOpQrStUvWx',
  SSH_AUTH_SOCK: '/tmp/ssh.sock',
};

describe('the environment of a sandboxed command', () => {
  it('is built from an allow-list: nothing else of the host passes, whatever its name', () => {
    expect(sandboxEnv(HOST)).toEqual({ PATH: '/usr/bin', LANG: 'C.UTF-8', LC_ALL: 'C', PYTHONPATH: HOST.PYTHONPATH });
  });

  it('drops an allowed variable whose value holds a secret', () => {
    expect(sandboxEnv(HOST, { redactor: new Redactor({}) })).not.toHaveProperty('PYTHONPATH');
  });

  it('passes what a stage names, tokens included, and labpilot’s own values over all', () => {
    const env = sandboxEnv(HOST, { allow: ['MODAL_*'], set: { HOME: '/run/sandbox/home', TMPDIR: '/run/sandbox/tmp' }, redactor: new Redactor({}) });
    expect(env).toMatchObject({ MODAL_TOKEN_ID: HOST.MODAL_TOKEN_ID, MODAL_STANDIN_HOME: '/tmp/m', HOME: '/run/sandbox/home', TMPDIR: '/run/sandbox/tmp' });
    expect(env).not.toHaveProperty('ANTHROPIC_API_KEY');
    expect(env).not.toHaveProperty('AWS_PROFILE');
  });
});
