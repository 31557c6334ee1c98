import type { Agent, EventSink } from '../ports.js';
import { createAnthropicAgent } from './anthropic.js';
import { createToolSet, type ToolSetOptions } from './tools/index.js';

export { createAnthropicAgent, type AnthropicAgentOptions } from './anthropic.js';
export { priceOf, pricesOf, type Prices } from './pricing.js';
export { createToolSet, cutOutput, resolveInside, PathEscapeError, type ToolDefinition, type ToolResult, type ToolSet } from './tools/index.js';

export interface AgentFromEnvOptions {
  model: string;
  system: string;
  workspace: string;
  sink: EventSink;
  /** Where ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL are read; process.env by default. */
  env?: Record<string, string | undefined>;
  tools?: Omit<ToolSetOptions, 'workspace'>;
  maxTokens?: number;
  maxToolRounds?: number;
}

/** The Anthropic agent with the workspace tool set, configured from the environment. */
export function createAgentFromEnv(opts: AgentFromEnvOptions): Agent {
  const env = opts.env ?? process.env;
  return createAnthropicAgent({
    apiKey: env.ANTHROPIC_API_KEY || undefined,
    baseURL: env.ANTHROPIC_BASE_URL || undefined,
    model: opts.model,
    system: opts.system,
    tools: createToolSet({ workspace: opts.workspace, ...opts.tools }),
    sink: opts.sink,
    maxTokens: opts.maxTokens,
    maxToolRounds: opts.maxToolRounds,
  });
}
