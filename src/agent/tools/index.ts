import { resolve } from 'node:path';
import { z } from 'zod';
import { bashTool } from './bash.js';
import { editFileTool, readFileTool, writeFileTool } from './files.js';
import { PathEscapeError } from './jail.js';
import { grepTool, listFilesTool } from './search.js';
import { fail, type Tool, type ToolContext, type ToolDefinition, type ToolSet } from './types.js';

export type { ToolDefinition, ToolResult, ToolSet } from './types.js';
export { cutOutput } from './cut-output.js';
export { PathEscapeError, resolveInside } from './jail.js';

export interface ToolSetOptions {
  workspace: string;
  commandTimeoutMs?: number;
  outputBudgetChars?: number;
  /** The environment commands inherit, stripped of secrets (default: this process's). */
  inherit?: NodeJS.ProcessEnv;
  /** Added to the commands' environment (over the inherited one). */
  env?: Record<string, string>;
  /** Returns a reason to refuse a shell command, or undefined to let it run. */
  commandPolicy?: (command: string) => string | undefined;
}

const ALL_TOOLS: Tool[] = [bashTool, readFileTool, writeFileTool, editFileTool, listFilesTool, grepTool];

/** Inherited variables whose names look like credentials are not handed to agent commands. */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL/i;

function commandEnv(inherit: NodeJS.ProcessEnv, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(inherit)) if (v !== undefined && !SECRET_NAME.test(k)) env[k] = v;
  return { ...env, ...extra };
}

export function createToolSet(opts: ToolSetOptions): ToolSet {
  const ctx: ToolContext = {
    workspace: resolve(opts.workspace),
    commandTimeoutMs: opts.commandTimeoutMs ?? 10 * 60_000,
    outputBudgetChars: opts.outputBudgetChars ?? 20_000,
    env: commandEnv(opts.inherit ?? process.env, opts.env),
    commandPolicy: opts.commandPolicy,
  };
  const byName = new Map(ALL_TOOLS.map((t) => [t.name, t]));
  const definitions: ToolDefinition[] = ALL_TOOLS.map((t) => {
    const { $schema: _drop, ...schema } = z.toJSONSchema(t.input, { io: 'input' }) as Record<string, unknown>;
    return { name: t.name, description: t.description, inputSchema: schema };
  });

  return {
    definitions,
    async execute(name, input, signal) {
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
    },
  };
}
