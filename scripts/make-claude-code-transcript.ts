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

const session: ScriptedSessionInput = {
  turns: [
    {
      id: 'smoke',
      when: 'Run the smoke stage',
      usage: { input_tokens: 3, output_tokens: 212, cache_creation_input_tokens: 14210, cache_read_input_tokens: 0 },
      reply: [
        { text: 'Running the smoke stage first.' },
        { tool_use: { name: 'Bash', input: { command: 'python3 eval.py --stage smoke', description: 'Run the smoke stage' } } },
      ],
    },
    {
      id: 'oom-explained',
      when: 'CUDA out of memory',
      usage: { input_tokens: 6, output_tokens: 97, cache_creation_input_tokens: 402, cache_read_input_tokens: 14210 },
      reply: [{ text: 'The smoke stage ran out of GPU memory while loading the main model. Shall I load it in 4-bit?' }],
    },
    {
      id: 'read',
      when: 'load it in 4-bit',
      usage: { input_tokens: 4, output_tokens: 118, cache_creation_input_tokens: 150, cache_read_input_tokens: 14612 },
      reply: [{ text: 'Reading the script first.' }, { tool_use: { name: 'Read', input: { file_path: 'WORKSPACE/eval.py' } } }],
    },
    {
      id: 'edit',
      when: 'LOAD_IN_4BIT = False',
      usage: { input_tokens: 4, output_tokens: 301, cache_creation_input_tokens: 220, cache_read_input_tokens: 14762 },
      reply: [
        { text: 'Switching the model load to 4-bit.' },
        { tool_use: { name: 'Edit', input: { file_path: 'WORKSPACE/eval.py', old_string: 'LOAD_IN_4BIT = False', new_string: 'LOAD_IN_4BIT = True' } } },
      ],
    },
    {
      id: 'ask-subagent',
      when: 'has been updated',
      usage: { input_tokens: 5, output_tokens: 143, cache_creation_input_tokens: 310, cache_read_input_tokens: 14832 },
      reply: [
        { text: 'Let me have a subagent check the checkpoint keys.' },
        { tool_use: { name: 'Agent', input: { description: 'Check checkpoint keys', prompt: 'List the keys of draft.ckpt and say whether they carry a module. prefix.', subagent_type: 'general-purpose' } } },
      ],
    },
    {
      id: 'subagent-work',
      when: 'List the keys of draft.ckpt',
      usage: { input_tokens: 9, output_tokens: 64, cache_creation_input_tokens: 5120, cache_read_input_tokens: 0 },
      reply: [{ tool_use: { name: 'Bash', input: { command: 'python3 -c "print(open(\'draft.ckpt\').read())"', description: 'Print the checkpoint keys' } } }],
    },
    {
      id: 'subagent-answer',
      when: 'module\\.fc\\.weight',
      usage: { input_tokens: 7, output_tokens: 41, cache_creation_input_tokens: 120, cache_read_input_tokens: 5120 },
      reply: [{ text: 'The keys carry a module. prefix: module.fc.weight, module.fc.bias.' }],
    },
    {
      id: 'done',
      when: 'keys carry a module',
      usage: { input_tokens: 8, output_tokens: 88, cache_creation_input_tokens: 260, cache_read_input_tokens: 15142 },
      reply: [{ text: 'The draft checkpoint keys carry a module. prefix from DataParallel; strip it before loading.' }],
    },
    {
      id: 'rerun',
      when: 'Rerun the smoke stage',
      usage: { input_tokens: 6, output_tokens: 77, cache_creation_input_tokens: 180, cache_read_input_tokens: 15402 },
      reply: [{ tool_use: { name: 'Bash', input: { command: 'python3 eval.py --stage smoke', description: 'Rerun the smoke stage' } } }],
    },
    {
      id: 'rerun-ok',
      when: 'smoke ok',
      usage: { input_tokens: 5, output_tokens: 35, cache_creation_input_tokens: 90, cache_read_input_tokens: 15582 },
      reply: [{ text: 'The smoke stage passes with the model in 4-bit.' }],
    },
    // Claude Code's own side requests (titles, summaries, topic checks): not part of the session file.
    { id: 'side-request', repeat: true, reply: [{ text: 'ok' }] },
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
