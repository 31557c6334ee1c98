import type { Agent, EventSink } from '../ports.js';
import { InputError } from '../errors.js';
import { Redactor } from '../runs/redact.js';
import { createAnthropicAgent } from './anthropic.js';
import { missingCredentials } from './credentials.js';
import { createClaudeCodeAgent, type ClaudeCodeAgentOptions } from './claude-code.js';
import { createToolSet, type ToolSetOptions } from './tools/index.js';
import type { Conversation } from '../runs/conversation.js';

export { createAnthropicAgent, type AnthropicAgentOptions } from './anthropic.js';
export type { LangChainAgentOptions } from './langchain.js';
export { priceOf, pricesOf, type Prices } from './pricing.js';
export { reviewerFromEnv } from './review-model.js';
export { createToolSet, cutOutput, resolveInside, PathEscapeError, type ToolDefinition, type ToolResult, type ToolSet } from './tools/index.js';

/** Agent backends `--agent` accepts. */
export const AGENT_NAMES = ['anthropic', 'langchain:openai', 'claude-code'] as const;

export interface AgentFromEnvOptions {
  /** The backend (`--agent`); anthropic by default. */
  name?: string;
  model: string;
  system: string;
  workspace: string;
  sink: EventSink;
  /**
   * Where ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL (anthropic), OPENAI_API_KEY / OPENAI_BASE_URL
   * (langchain:openai), LABPILOT_API_TIMEOUT_MS (wait for an answer, longest silence in a
   * stream) and LABPILOT_API_RETRIES are read; process.env by default.
   */
  env?: Record<string, string | undefined>;
  tools?: Omit<ToolSetOptions, 'workspace' | 'redactor'>;
  /** Masks secrets in all the agent sends and its tools return (default: from `env`). */
  redactor?: Redactor;
  maxTokens?: number;
  maxToolRounds?: number;
  /** The conversation so far, rebuilt from the log of a resumed run. */
  conversation?: Conversation;
  /** Claude Code's own sandbox settings (claude-code only; absent with `--no-sandbox`). */
  claudeCodeSandbox?: ClaudeCodeAgentOptions['sandbox'];
}

const positive = (v: string | undefined): number | undefined => {
  const n = Number(v);
  return v !== undefined && v !== '' && Number.isFinite(n) && n >= 0 ? n : undefined;
};

/** The chosen agent backend with the workspace tool set, configured from the environment. */
export function createAgentFromEnv(opts: AgentFromEnvOptions): Agent {
  const name = opts.name ?? 'anthropic';
  if (!(AGENT_NAMES as readonly string[]).includes(name)) {
    throw new InputError(`unknown agent '${name}' (available: ${AGENT_NAMES.join(', ')})`);
  }
  const env = opts.env ?? process.env;
  const redactor = opts.redactor ?? new Redactor(env);
  const tools = createToolSet({ workspace: opts.workspace, inherit: env, ...opts.tools, redactor });
  const common = {
    model: opts.model,
    system: opts.system,
    tools,
    sink: opts.sink,
    maxTokens: opts.maxTokens,
    maxToolRounds: opts.maxToolRounds,
    timeoutMs: positive(env.LABPILOT_API_TIMEOUT_MS),
    maxRetries: positive(env.LABPILOT_API_RETRIES),
    redactor,
    conversation: opts.conversation,
  };
  if (name === 'claude-code') return createClaudeCodeAgent({ ...common, workspace: opts.workspace, env, policy: opts.tools?.policy, approve: opts.tools?.approve, refused: opts.tools?.refused, sandbox: opts.claudeCodeSandbox });
  if (name === 'langchain:openai') {
    const missing = missingCredentials(name, env);
    if (missing) throw missing;
    const options = { ...common, provider: 'openai' as const, apiKey: env.OPENAI_API_KEY!, baseURL: env.OPENAI_BASE_URL || undefined };
    // LangChain takes about a second to load: only runs that use it pay for it.
    let loaded: Promise<Agent> | undefined;
    return {
      name,
      model: opts.model,
      turn: async (req) => (await (loaded ??= import('./langchain.js').then((m) => m.createLangChainAgent(options)))).turn(req),
    };
  }
  return createAnthropicAgent({ ...common, apiKey: env.ANTHROPIC_API_KEY || undefined, baseURL: env.ANTHROPIC_BASE_URL || undefined });
}

