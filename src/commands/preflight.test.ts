import { describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Playbook } from '../playbook/schema.js';
import { commandWords, modalLoggedIn, playbookCommands, programOf } from './preflight-programs.js';
import { localProblems } from './preflight.js';

const programs = (line: string) => commandWords(line).map(programOf);

describe('the programs a command line starts', () => {
  it('finds the first word of each command of a pipeline or list, past assignments and wrappers', () => {
    expect(programs("modal volume ls rsd-results | grep -q '\\.json'")).toEqual(['modal', 'grep']);
    expect(programs('CUDA_VISIBLE_DEVICES=0 timeout 5m python3 -m pytest && git diff --quiet; echo done')).toEqual(['python3', 'git', undefined]);
    expect(programs("sh -c 'echo a | tee b; exit 1'")).toEqual(['sh']);
  });

  it('leaves out builtins, variables and paths of the workspace (not there before the clone)', () => {
    expect(programs('cd sub && ./run.sh && $TOOL x && true')).toEqual([undefined, undefined, undefined, undefined]);
    expect(programs('/bin/sh -c x')).toEqual(['/bin/sh']);
  });

  it('reads every command of a playbook with its variables filled in: run steps, checks, python checks, fixes, checklist', () => {
    const pb = Playbook.parse({
      name: 'p',
      variables: { tool: { default: 'modal' } },
      steps: [
        { id: 'a', kind: 'run', command: '{{tool}} run x.py', done_when: [{ check: 'python', script: 'c.py' }] },
        { id: 'b', kind: 'check', checks: [{ check: 'command', run: 'make test' }] },
      ],
      remediations: [{ id: 'r', when: { exit_code: 'nonzero' }, then: { run: 'git stash' } }],
      checklist: [{ item: 'i', verify: { check: 'command', run: 'jq . out.json' } }],
    });
    expect(playbookCommands(pb, { tool: 'modal' })).toEqual(['modal run x.py', 'python3', 'make test', 'git stash', 'jq . out.json']);
  });
});

describe('pre-flight problems', () => {
  const bin = mkdtempSync(join(tmpdir(), 'labpilot-bin-'));
  for (const p of ['git', 'modal']) {
    writeFileSync(join(bin, p), '#!/bin/sh\n');
    chmodSync(join(bin, p), 0o755);
  }
  const pb = Playbook.parse({ name: 'p', steps: [{ id: 'a', kind: 'run', command: 'modal run x.py' }, { id: 'b', kind: 'prompt', prompt: 'Go.' }] });
  const input = (env: NodeJS.ProcessEnv) => ({ playbook: pb, vars: {}, env, agent: 'anthropic', needsModel: true });

  it('names each missing program, a Modal not logged in and the key, each with the fix', () => {
    expect(localProblems(input({ PATH: '/nonexistent', HOME: bin }))).toEqual([
      '`git` is not on PATH (install git (apt-get install git))',
      '`modal` is not on PATH (pip install modal, then modal token new)',
      expect.stringMatching(/^ANTHROPIC_API_KEY is not set/),
    ]);
    expect(localProblems(input({ PATH: bin, HOME: bin, ANTHROPIC_API_KEY: 'k' }))).toEqual([expect.stringMatching(/^`modal` is not logged in \(run: modal token new/)]);
    expect(localProblems(input({ PATH: bin, HOME: bin, ANTHROPIC_API_KEY: 'k', MODAL_TOKEN_ID: 'ak-1', MODAL_TOKEN_SECRET: 'as-1' }))).toEqual([]);
  });

  it('reads Modal’s token from its config file as the Modal client does', () => {
    const config = join(bin, 'modal.toml');
    writeFileSync(config, '[default]\ntoken_id = "ak-123"\ntoken_secret = "as-456"\n');
    expect(modalLoggedIn({ HOME: bin, MODAL_CONFIG_PATH: config })).toBe(true);
    expect(modalLoggedIn({ HOME: bin })).toBe(false);
  });
});
