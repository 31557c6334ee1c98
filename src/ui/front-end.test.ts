import { describe, expect, it } from 'vitest';
import { chooseFrontEnd } from './front-end.js';

const terminal = { stdout: true, stdin: true };
const piped = { stdout: false, stdin: true };

describe('choosing the front end', () => {
  it('is the app, interactive, in a terminal', () => {
    expect(chooseFrontEnd({}, terminal)).toEqual({ mode: 'interactive', app: true });
  });

  it('shows the app without prompts for autopilot in a terminal', () => {
    expect(chooseFrontEnd({ mode: 'autopilot' }, terminal)).toEqual({ mode: 'autopilot', app: true });
  });

  it('is plain lines, autopilot, when stdout is not a terminal or with --json', () => {
    expect(chooseFrontEnd({}, piped)).toEqual({ mode: 'autopilot', app: false });
    expect(chooseFrontEnd({ json: true }, terminal)).toEqual({ mode: 'autopilot', app: false });
  });

  it('refuses interactive mode where nobody can answer', () => {
    expect(() => chooseFrontEnd({ mode: 'interactive' }, piped)).toThrow(/needs a terminal/);
    expect(() => chooseFrontEnd({ mode: 'interactive' }, { stdout: true, stdin: false })).toThrow(/needs a terminal/);
    expect(() => chooseFrontEnd({ mode: 'interactive', json: true }, terminal)).toThrow(/does not go with --json/);
  });
});
