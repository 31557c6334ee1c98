import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, gitRepoFrom, labpilot, tempDir } from '../helpers/cli.js';

/**
 * A run that needs a model but has no key stops before it creates anything: one line saying
 * which variable is missing, exit 3, and no run folder or clone left behind to clean up.
 */
describe('labpilot run without a model key', () => {
  it.each([
    ['anthropic', 'ANTHROPIC_API_KEY is not set'],
    ['langchain:openai', 'OPENAI_API_KEY is not set'],
  ])('--agent %s: one line naming the variable, exit 3, nothing created', async (agent, message) => {
    const home = tempDir();
    const repo = gitRepoFrom(join(ROOT, 'templates', 'calc-repo'));
    const r = await labpilot(['--home', home, 'run', join(ROOT, 'playbooks', 'fix-failing-test.yaml'), '--var', `repo=${repo}`, '--agent', agent], {
      ANTHROPIC_API_KEY: '',
      OPENAI_API_KEY: '',
    }).done;
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining(message)]);
    expect(existsSync(join(home, 'runs')) ? readdirSync(join(home, 'runs')) : []).toEqual([]);
  });
});
