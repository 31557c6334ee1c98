import { resolve } from 'node:path';
import type { Agent, AgentTurnRequest, AgentTurnResult, EventSink } from '../ports.js';
import { EnvironmentError } from '../errors.js';
import { Redactor } from '../runs/redact.js';
import { mapStreamMessage, type StreamMessage, type TurnEnd } from './claude-code-events.js';
import { PathEscapeError, resolveInside } from './tools/jail.js';
import { createShellPolicy, type ShellPolicyConfig } from './tools/shell-policy.js';
import type { Conversation } from '../runs/conversation.js';
import type { claudeCodeSandbox } from '../sandbox/claude-code.js';

/**
 * The Agent port over Claude Code, driven through the Claude Agent SDK: each labpilot turn is
 * one `query()` resuming the same Claude Code session, its stream mapped to labpilot's events.
 * Claude Code runs its own tools (Bash, Read, Edit, ...); every permission request it makes is
 * answered here with labpilot's rules: the workspace jail for paths, the shell policy for
 * commands (risky ones go to `approve`, the person, or are refused on autopilot), and no tool
 * input that holds a secret.
 */

export interface ClaudeCodeAgentOptions {
  model: string;
  system: string;
  workspace: string;
  sink: EventSink;
  /** The environment Claude Code starts with (its ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL). */
  env: Record<string, string | undefined>;
  policy?: ShellPolicyConfig;
  approve?: (command: string, reason: string) => Promise<boolean>;
  /** Told of each risky command refused for want of a person to ask. */
  refused?: (command: string, reason: string) => void;
  redactor?: Redactor;
  /** Model round trips Claude Code may take in one turn. */
  maxToolRounds?: number;
  /** From the run log of a resumed run: Claude Code's session id and the turns already started. */
  conversation?: Conversation;
  /** Claude Code's sandbox settings for its Bash tool (absent with `--no-sandbox`). */
  sandbox?: ReturnType<typeof claudeCodeSandbox>;
}

type Permission = { behavior: 'allow'; updatedInput: Record<string, unknown> } | { behavior: 'deny'; message: string };

/** Claude Code's tools that take a path, and the input field that holds it. */
const PATH_FIELDS = ['file_path', 'path', 'notebook_path'] as const;
/** The network is not the workspace: these tools are taken away from the model. */
const DISALLOWED = ['WebFetch', 'WebSearch'];

/** Nothing optional leaves this machine, and Claude Code never updates itself mid-run. */
const QUIET_ENV = { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_TELEMETRY: '1', DISABLE_AUTOUPDATER: '1', DISABLE_ERROR_REPORTING: '1' };

export function createClaudeCodeAgent(opts: ClaudeCodeAgentOptions): Agent {
  const workspace = resolve(opts.workspace);
  const redactor = opts.redactor ?? new Redactor(opts.env);
  const policy = createShellPolicy(workspace, opts.policy);
  let sessionId = opts.conversation?.sessionId;
  let turns = opts.conversation?.turns ?? 0;
  let open = opts.conversation?.open;

  async function permit(tool: string, input: Record<string, unknown>): Promise<Permission> {
    const allow: Permission = { behavior: 'allow', updatedInput: input };
    if (redactor.holdsSecret(JSON.stringify(input))) return { behavior: 'deny', message: `${tool} refused: its input holds a secret; use the environment variable instead` };
    for (const field of PATH_FIELDS) {
      const p = input[field];
      if (typeof p !== 'string') continue;
      try {
        resolveInside(workspace, p);
      } catch (err) {
        if (err instanceof PathEscapeError) return { behavior: 'deny', message: `${p} is outside the workspace; tools only reach files in ${workspace}` };
        throw err;
      }
    }
    if (tool !== 'Bash' || typeof input.command !== 'string') return allow;
    const verdict = policy(input.command);
    if (verdict.action === 'allow') return allow;
    if (verdict.action === 'deny') return { behavior: 'deny', message: `command refused by the shell policy: it ${verdict.reason}` };
    if (await opts.approve?.(input.command, verdict.reason)) return allow;
    if (!opts.approve) opts.refused?.(input.command, verdict.reason);
    const who = opts.approve ? 'the person declined' : 'nobody is there to approve it (autopilot)';
    return { behavior: 'deny', message: `command not run: it ${verdict.reason}, and ${who}` };
  }

  async function turn(req: AgentTurnRequest): Promise<AgentTurnResult> {
    // A turn a kill cut short goes on in the same session; its prompt is there already.
    const cont = open?.promptId === req.promptId && sessionId !== undefined ? open : undefined;
    open = undefined;
    const turnNo = cont ? cont.turn : ++turns;
    const prompt = cont ? 'labpilot was interrupted during this turn; continue it where you left off.' : req.text;
    // The SDK is large: only runs that drive Claude Code load it.
    const { query } = await import('@anthropic-ai/claude-agent-sdk');
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    const env = { ...opts.env, ...QUIET_ENV };
    let end: TurnEnd | undefined;
    let lastText = '';
    try {
      const stream = query({
        prompt: redactor.redact(prompt),
        options: {
          cwd: workspace,
          model: opts.model,
          env,
          resume: sessionId,
          abortController: abort,
          permissionMode: 'default',
          canUseTool: (tool, input) => permit(tool, input),
          disallowedTools: DISALLOWED,
          // labpilot's playbook is the configuration: no user or project settings, hooks or MCP servers.
          settingSources: [],
          systemPrompt: opts.system ? { type: 'preset', preset: 'claude_code', append: redactor.redact(opts.system) } : { type: 'preset', preset: 'claude_code' },
          maxTurns: opts.maxToolRounds ?? 40,
          ...(opts.sandbox && { sandbox: opts.sandbox }),
        },
      });
      for await (const message of stream) {
        const msg = message as unknown as StreamMessage;
        if (msg.session_id && msg.session_id !== sessionId) {
          sessionId = msg.session_id;
          opts.sink.emit({ type: 'agent_session', agent: 'claude-code', sessionId });
        }
        const mapped = mapStreamMessage(msg, turnNo, opts.sink, redactor);
        if (msg.type === 'assistant' && msg.message && Array.isArray(msg.message.content)) {
          const text = msg.message.content.flatMap((b) => (b.type === 'text' && b.text ? [b.text] : [])).join('\n');
          if (text) lastText = redactor.redact(text);
        }
        if (mapped) end = mapped;
      }
    } catch (err) {
      if (!req.signal?.aborted) throw new EnvironmentError(`Claude Code stopped: ${redactor.redact((err as Error).message)}`);
    } finally {
      req.signal?.removeEventListener('abort', onAbort);
    }
    if (!end) return { stopReason: 'aborted', usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 }, costUsd: 0, text: lastText };
    for (const e of end.errors) opts.sink.emit({ type: 'notice', level: 'warn', message: `Claude Code: ${e}` });
    // Like the built-in agent's failed call: the run stops with its state saved, resumable.
    if (end.failed) throw new EnvironmentError(`Claude Code's turn failed (${end.stopReason}): ${end.text || end.errors.join('; ') || 'no reason given'}`);
    return { stopReason: end.stopReason, usage: end.usage, costUsd: end.costUsd, text: end.text || lastText };
  }

  return { name: 'claude-code', model: opts.model, turn };
}
