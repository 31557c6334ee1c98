/**
 * Writes tests/fixtures/transcripts/claude-code-2x-session.jsonl: a session of the real Claude
 * Code (the binary the Agent SDK ships) against the Messages API stand-in, so the fixture is
 * exactly what Claude Code writes under `<config>/projects/<dir>/<session>.jsonl`. The session
 * opens with a project slash command, streams messages of several blocks, runs a failing
 * command, edits a file and hands a question to a subagent (Task).
 *
 *   node --import tsx scripts/make-claude-code-transcript.ts
 */
import { cpSync, existsSync, mkdirSync, rmSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { query } from '@anthropic-ai/claude-agent-sdk';
import { startMessagesStandin } from '../src/standin/messages-server.js';
import type { ScriptedSessionInput } from '../src/standin/session-schema.js';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'tests', 'fixtures', 'transcripts', 'claude-code-2x-session.jsonl');

type Block = ScriptedSessionInput['turns'][number]['reply'][number];
const say = (text: string): Block => ({ text });
const tool = (name: string, input: Record<string, unknown>): Block => ({ tool_use: { name, input } });

/** A turn picked by `when`, with the usage the real API would report: [input, output, cache write, cache read]. */
function turn(id: string, when: string, usage: [number, number, number, number], ...reply: Block[]) {
  const [input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens] = usage;
  return { id, when, usage: { input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens }, reply };
}

const session: ScriptedSessionInput = {
  turns: [
    turn('smoke', 'Run the smoke stage', [3, 212, 14210, 0], say('Running the smoke stage first.'), tool('Bash', { command: 'python3 eval.py --stage smoke', description: 'Run the smoke stage' })),
    turn('oom-explained', 'CUDA out of memory', [6, 97, 402, 14210], say('The smoke stage ran out of GPU memory while loading the main model. Shall I load it in 4-bit?')),
    turn('read', 'load it in 4-bit', [4, 118, 150, 14612], say('Reading the script first.'), tool('Read', { file_path: 'WORKSPACE/eval.py' })),
    turn('edit', 'LOAD_IN_4BIT = False', [4, 301, 220, 14762], say('Switching the model load to 4-bit.'), tool('Edit', { file_path: 'WORKSPACE/eval.py', old_string: 'LOAD_IN_4BIT = False', new_string: 'LOAD_IN_4BIT = True' })),
    turn('ask-subagent', 'has been updated', [5, 143, 310, 14832], say('Let me have a subagent check the checkpoint keys.'), tool('Agent', {
      description: 'Check checkpoint keys',
      prompt: 'List the keys of draft.ckpt and say whether they carry a module. prefix.',
      subagent_type: 'general-purpose',
    })),
    turn('subagent-work', 'List the keys of draft.ckpt', [9, 64, 5120, 0], tool('Bash', { command: 'python3 -c "print(open(\'draft.ckpt\').read())"', description: 'Print the checkpoint keys' })),
    turn('subagent-answer', 'module\\.fc\\.weight', [7, 41, 120, 5120], say('The keys carry a module. prefix: module.fc.weight, module.fc.bias.')),
    turn('done', 'keys carry a module', [8, 88, 260, 15142], say('The draft checkpoint keys carry a module. prefix from DataParallel; strip it before loading.')),
    turn('rerun', 'Rerun the smoke stage', [6, 77, 180, 15402], tool('Bash', { command: 'python3 eval.py --stage smoke', description: 'Rerun the smoke stage' })),
    turn('rerun-ok', 'smoke ok', [5, 35, 90, 15582], say('The smoke stage passes with the model in 4-bit.')),
    // Claude Code's own side requests (titles, summaries, topic checks): not part of the session file.
    { id: 'side-request', repeat: true, reply: [say('ok')] },
  ],
};

const EVAL = `LOAD_IN_4BIT = False
if not LOAD_IN_4BIT:
    import sys
    print("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB", file=sys.stderr)
    sys.exit(1)
print("smoke ok")
`;

async function main(): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'labpilot-cc-'));
  const workspace = join(base, 'rsd');
  const config = join(base, 'claude');
  mkdirSync(join(workspace, '.claude', 'commands'), { recursive: true });
  writeFileSync(join(workspace, 'eval.py'), EVAL);
  writeFileSync(join(workspace, 'draft.ckpt'), 'module.fc.weight\nmodule.fc.bias\n');
  writeFileSync(join(workspace, '.claude', 'commands', 'smoke.md'), 'Run the smoke stage of the evaluation: `python3 eval.py --stage smoke`. $ARGUMENTS\n');
  const standin = await startMessagesStandin({ session: JSON.parse(JSON.stringify(session).replaceAll('WORKSPACE', workspace)) as ScriptedSessionInput });
  const env = {
    ...process.env,
    HOME: base,
    CLAUDE_CONFIG_DIR: config,
    ANTHROPIC_API_KEY: 'sk-ant-fixture-000000000000000000',
    ANTHROPIC_BASE_URL: standin.url,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
  };
  let sessionId: string | undefined;
  // The last prompt arrives as an IDE extension sends it: context blocks, then what the person typed.
  const ide = (text: string) => ({ type: 'user' as const, session_id: '', parent_tool_use_id: null, message: { role: 'user' as const, content: [
    { type: 'text' as const, text: `<ide_opened_file>The user opened the file ${join(workspace, 'eval.py')} in the IDE. This may or may not be related to the current task.</ide_opened_file>` },
    { type: 'text' as const, text: `<ide_selection>The user selected the lines 1 to 1 from ${join(workspace, 'eval.py')}:\nLOAD_IN_4BIT = False\n\nThis may or may not be related to the current task.</ide_selection>` },
    { type: 'text' as const, text },
  ] } });
  async function* streamed(text: string) {
    yield ide(text);
  }
  const prompts = ['/smoke on libero_spatial', 'Yes, load it in 4-bit.', 'Rerun the smoke stage, please.'];
  try {
    for (const prompt of prompts) {
      for await (const m of query({
        prompt: prompt.startsWith('Rerun') ? streamed(prompt) : prompt,
        options: { cwd: workspace, model: 'claude-sonnet-4-5', env, resume: sessionId, permissionMode: 'default', canUseTool: async (_tool, input) => ({ behavior: 'allow', updatedInput: input }), settingSources: ['project'], maxTurns: 10 },
      })) {
        const msg = m as { session_id?: string; type: string; subtype?: string };
        if (msg.session_id) sessionId = msg.session_id;
        if (msg.type === 'result') console.error(`turn "${prompt}": ${msg.subtype}`);
      }
    }
  } finally {
    await standin.close();
  }
  const projects = join(config, 'projects');
  for (const dir of readdirSync(projects)) {
    for (const f of readdirSync(join(projects, dir), { recursive: true }) as string[]) console.error(`written: ${join(dir, f)}`);
    cpSync(join(projects, dir, `${sessionId}.jsonl`), OUT);
    // Subagents write their own files beside the session: `<session>/subagents/agent-<id>.jsonl`.
    const subagents = join(projects, dir, String(sessionId), 'subagents');
    rmSync(OUT.replace(/\.jsonl$/, ''), { recursive: true, force: true });
    if (existsSync(subagents)) cpSync(subagents, join(OUT.replace(/\.jsonl$/, ''), 'subagents'), { recursive: true });
  }
  console.error(`${OUT} from session ${sessionId} (standin requests: ${standin.requests.length}, left: ${standin.remaining()})`);
}

await main();
