import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ROOT, tempDir } from '../helpers/cli.js';
import { loadSession, type ScriptedTurn } from '../../src/standin/session-schema.js';
import { createToolSet } from '../../src/agent/tools/index.js';

/**
 * The Python side (the `modal` stand-in, the script checks, the sample solution tool) has its
 * own unittest suite; running it here makes `npm test` cover it. The demo's scripted session is
 * replayed with the real agent tools against a copy of the sample experiment, with the stand-in
 * run where labpilot runs the smoke stage, so every edit must apply and fail or pass as told.
 */

interface Ran {
  code: number;
  output: string;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

describe('python stand-in and checks', () => {
  it('passes its unittest suite', async () => {
    const result = await run('python3', ['-m', 'unittest', 'discover', '-s', 'python/tests', '-t', 'python'], ROOT);
    if (result.code !== 0) console.error(result.output.slice(-8000));
    expect(result.output).toMatch(/^OK/m);
    expect(result.code).toBe(0);
  }, 150_000);
});

describe('rsd-phase3 scripted session', () => {
  const SCRIPT = 'RVQExperiment/phase3/modal_phase3_libero_eval.py';

  it('replays: four tasks, out of memory, checkpoint keys, all stages, report', async () => {
    const session = loadSession(join(ROOT, 'playbooks', 'sessions', 'rsd-phase3.yaml'));
    const turns = session.turns.map((turn) => ({ turn, when: turn.when ? new RegExp(turn.when) : undefined, used: false }));
    // The stand-in's rule: the first unconsumed turn whose `when` matches the latest user message.
    const pick = (text: string): ScriptedTurn => {
      const hit = turns.find((t) => !t.used && (!t.when || t.when.test(text)));
      if (!hit) throw new Error(`no turn matches: ${text.slice(0, 200)}`);
      if (!hit.turn.repeat) hit.used = true;
      return hit.turn;
    };

    const repo = tempDir('rsd-session-');
    cpSync(join(ROOT, 'templates', 'sample-experiment'), repo, { recursive: true });
    const env = { ...process.env, PATH: `${join(ROOT, 'python', 'bin')}${delimiter}${process.env.PATH}`, MODAL_STANDIN_HOME: tempDir('rsd-home-') };
    const tools = createToolSet({ workspace: repo, inherit: env });

    // Plays one prompt to the end of the agent's turn; returns the ids of the turns played.
    const converse = async (prompt: string): Promise<string[]> => {
      const played: string[] = [];
      for (let text = prompt; ; ) {
        const turn = pick(text);
        played.push(turn.id ?? '?');
        const calls = turn.reply.flatMap((b) => ('tool_use' in b ? [b.tool_use] : []));
        if (!calls.length) return played;
        const outputs: string[] = [];
        for (const call of calls) {
          const r = await tools.execute(call.name, call.input);
          expect(r.isError, `${turn.id}: ${r.output}`).toBe(false);
          outputs.push(r.output);
        }
        text = outputs.join('\n');
      }
    };
    const check = (script: string, ...args: string[]) => run('python3', [join(ROOT, 'python', 'checks', script), ...args], repo);
    const stage = (...flags: string[]) => run('modal', ['run', SCRIPT, '--task-suite', 'libero_spatial', ...flags], repo, env);
    const smoke = () => stage('--num-trials', '1', '--no-use-speculative-decoding');

    expect(await converse('## Phase 3 setup\n\nPlease help me complete Phase 3.')).toEqual(['setup-list', 'setup-read', 'setup-confirm']);
    const titles = ['main model', 'draft model', 'RSD engine', 'LIBERO loop'];
    for (const [i, title] of titles.entries()) {
      expect(await converse(`## Task ${i + 1} of 4: ${title}\n\nImplement ONLY Task ${i + 1}.`)).toEqual([`task${i + 1}`, `task${i + 1}-done`]);
      expect((await check('placeholders.py', SCRIPT, '--task', String(i + 1))).code).toBe(0);
      expect((await check('syntax.py', SCRIPT)).code).toBe(0);
    }
    expect((await check('placeholders.py', SCRIPT)).code).toBe(0);

    let r = await smoke();
    expect(r.code).toBe(1);
    expect(r.output).toContain('torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 324.00 MiB.');
    expect(await converse('## Fix: cuda-oom\n\nThe smoke stage ran out of GPU memory.')).toEqual(['fix-cuda-oom', 'fix-cuda-oom-done']);

    r = await smoke();
    expect(r.code).toBe(1);
    expect(r.output).toContain('RuntimeError: Error(s) in loading state_dict for DraftModel:');
    expect(r.output).toContain('Unexpected key(s) in state_dict: "module.in_proj.weight"');
    expect(await converse('## Fix: checkpoint-keys\n\nA checkpoint did not load.')).toEqual(['fix-checkpoint-keys', 'fix-checkpoint-keys-done']);

    r = await smoke();
    expect(r.code, r.output.slice(-3000)).toBe(0);
    expect(r.output).toContain('Total episodes: 10');
    expect(r.output).toMatch(/^Results saved to \/results\/\S+\.json$/m);
    // Short stand-ins for the full and baseline stages: the report reads whatever they saved.
    r = await stage('--num-trials', '2', '--use-speculative-decoding');
    expect(r.output).toMatch(/^Draft acceptance rate: 0\.\d\d$/m);
    r = await stage('--num-trials', '2', '--no-use-speculative-decoding');
    expect(r.code).toBe(0);

    expect(await converse('## Report\n\nAll four stages passed.')).toEqual(['report-script', 'report-run', 'report-done']);
    const summary = join(repo, 'RVQExperiment', 'phase3', 'results', 'SUMMARY.md');
    expect(existsSync(summary)).toBe(true);
    const text = readFileSync(summary, 'utf8');
    expect(text).toMatch(/Baseline/);
    expect(text).toMatch(/\*\*Speedup\*\*: \d\.\d\dx/);
    expect(text).toContain('Success rate | ');

    // Anything unforeseen is answered politely and ends the turn.
    expect(await converse('What is the status?')).toEqual(['catch-all']);
  }, 120_000);
});
