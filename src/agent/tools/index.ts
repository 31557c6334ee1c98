import { resolve } from 'node:path';
import { z } from 'zod';
import { bashTool } from './bash.js';
import { editFileTool, readFileTool, writeFileTool } from './files.js';
import { PathEscapeError } from './jail.js';
import { grepTool, listFilesTool } from './search.js';
import { createShellPolicy, type ShellPolicyConfig } from './shell-policy.js';
import { fail, type Tool, type ToolContext, type ToolDefinition, type ToolResult, type ToolSet } from './types.js';
import { isSensitiveName, Redactor } from '../../runs/redact.js';
import type { CommandSandbox } from '../../sandbox/types.js';

export type { ToolDefinition, ToolResult, ToolSet } from './types.js';
export { cutOutput } from './cut-output.js';
export { PathEscapeError, resolveInside } from './jail.js';
export { createShellPolicy, BUILTIN_RULE_IDS, type ShellPolicyConfig, type PolicyVerdict } from './shell-policy.js';

export interface ToolSetOptions {
  workspace: string;
  commandTimeoutMs?: number;
  /** Characters of command output shown to the model (cut to keep the root cause). */
  outputBudgetChars?: number;
  /** Characters of a file returned by one read_file call. */
  readBudgetChars?: number;
  /** The environment commands inherit, stripped of secrets (default: this process's). */
  inherit?: NodeJS.ProcessEnv;
  /** Added to the commands' environment (over the inherited one). */
  env?: Record<string, string>;
  /** The playbook's additions to the built-in shell policy. */
  policy?: ShellPolicyConfig;
  /** Asks a person about a risky command; without it risky commands are refused. */
  approve?: (command: string, reason: string) => Promise<boolean>;
  /** Told of each risky command refused for want of a person to ask. */
  refused?: (command: string, reason: string) => void;
  /** The OS sandbox the shell runs in; without one commands run with labpilot's rights (`--no-sandbox`). */
  sandbox?: CommandSandbox;
  /** Masks secrets in every result before the model sees it (default: from `inherit`). */
  redactor?: Redactor;
  /** Records each shell command's process group while it runs (see ToolContext.onSpawn). */
  onSpawn?: (pid: number) => () => void;
}

const ALL_TOOLS: Tool[] = [bashTool, readFileTool, writeFileTool, editFileTool, listFilesTool, grepTool];

/**
 * Inherited variables whose names look like credentials are not handed to agent commands; the
 * substring test is broader than the redactor's on purpose: withholding costs little.
 */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL/i;

function commandEnv(inherit: NodeJS.ProcessEnv, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(inherit)) if (v !== undefined && !SECRET_NAME.test(k) && !isSensitiveName(k)) env[k] = v;
  return { ...env, ...extra };
}

export function createToolSet(opts: ToolSetOptions): ToolSet {
  const redactor = opts.redactor ?? new Redactor(opts.inherit ?? process.env);
  const ctx: ToolContext = {
    workspace: resolve(opts.workspace),
    commandTimeoutMs: opts.commandTimeoutMs ?? 10 * 60_000,
    outputBudgetChars: opts.outputBudgetChars ?? 8_000,
    readBudgetChars: opts.readBudgetChars ?? 20_000,
    env: commandEnv(opts.inherit ?? process.env, opts.env),
    sandbox: opts.sandbox,
    extraEnv: opts.env,
    policy: createShellPolicy(opts.workspace, opts.policy),
    approve: opts.approve,
    refused: opts.refused,
    redact: (text) => redactor.redact(text),
    onSpawn: opts.onSpawn,
  };
  const byName = new Map(ALL_TOOLS.map((t) => [t.name, t]));
  const definitions: ToolDefinition[] = ALL_TOOLS.map((t) => {
    const { $schema: _drop, ...schema } = z.toJSONSchema(t.input, { io: 'input' }) as Record<string, unknown>;
    return { name: t.name, description: t.description, inputSchema: schema };
  });

  return {
    definitions,
    async execute(name, input, signal) {
      // A secret in a tool call would be written to disk or run: the model never saw one from
      // labpilot (every result is redacted), so refuse rather than act on it.
      if (redactor.holdsSecret(JSON.stringify(input ?? null))) {
        return fail(`${name} refused: its input holds a secret or a key-shaped string; use the environment variable instead`);
      }
      const r = await run(name, input, signal);
      return { ...r, output: redactor.redact(r.output) };
    },
  };

  async function run(name: string, input: unknown, signal?: AbortSignal): Promise<ToolResult> {
    const tool = byName.get(name);
    if (!tool) return fail(`unknown tool ${name}; the tools are ${[...byName.keys()].join(', ')}`);
    const parsed = tool.input.safeParse(input);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
      return fail(`invalid input for ${name}: ${problems}`);
    }
    try {
      return await tool.run(parsed.data, ctx, signal);
    } catch (err) {
      if (err instanceof PathEscapeError) return fail(`${err.message}; tools only reach files in ${ctx.workspace}`);
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') return fail(`no such file or directory: ${(input as { path?: string }).path ?? e.path ?? ''}`);
      if (e.code === 'EISDIR') return fail(`${(input as { path?: string }).path ?? ''} is a directory`);
      return fail(`${name} failed: ${e.message}`);
    }
  }
}
