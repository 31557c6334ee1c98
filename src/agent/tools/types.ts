import { z } from 'zod';
import type { ShellPolicy } from './shell-policy.js';
import type { CommandSandbox } from '../../sandbox/types.js';

/**
 * Provider-neutral tool contracts: the Anthropic loop and other backends read the same
 * definitions and call the same `execute`.
 */

export interface ToolDefinition {
  name: string;
  description: string;
  /** JSON Schema (draft 2020-12 object schema) of the input. */
  inputSchema: Record<string, unknown>;
}

export interface ToolResult {
  output: string;
  isError: boolean;
}

export interface ToolSet {
  definitions: ToolDefinition[];
  /** Never throws for bad input or a failing tool: those are `isError` results for the model. */
  execute(name: string, input: unknown, signal?: AbortSignal): Promise<ToolResult>;
}

export interface ToolContext {
  workspace: string;
  commandTimeoutMs: number;
  outputBudgetChars: number;
  readBudgetChars: number;
  env: Record<string, string>;
  /** The OS sandbox the shell runs in; absent only when the person chose `--no-sandbox`. */
  sandbox?: CommandSandbox;
  /** Variables labpilot adds to the shell's environment (over the sandbox's allow-list). */
  extraEnv?: Record<string, string>;
  /** Judges a shell command before it runs. */
  policy: ShellPolicy;
  /** Asks a person about a risky command; absent in autopilot. */
  approve?: (command: string, reason: string) => Promise<boolean>;
  /** Told of a risky command refused because nobody is there to approve it, for the run log. */
  refused?: (command: string, reason: string) => void;
  /** Masks secrets; applied to output before it is cut, so no secret is cut in half. */
  redact: (text: string) => string;
  /** Records a started process group so a resumed run can end it; returns what forgets it. */
  onSpawn?: (pid: number) => () => void;
}

/** One tool: its zod input schema is both the JSON Schema sent to the model and the validator. */
export interface Tool<S extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  input: S;
  run(input: z.infer<S>, ctx: ToolContext, signal?: AbortSignal): Promise<ToolResult>;
}

/** A tool as written: its input as the fields of a strict object, which `run` receives typed. */
export interface ToolSpec<F extends z.ZodRawShape> extends Omit<Tool, 'input' | 'run'> {
  input: F;
  run(input: z.infer<z.ZodObject<F>>, ctx: ToolContext, signal?: AbortSignal): Promise<ToolResult>;
}

export const defineTool = <F extends z.ZodRawShape>(spec: ToolSpec<F>): Tool => ({ ...spec, input: z.strictObject(spec.input) }) as unknown as Tool;

export const ok = (output: string): ToolResult => ({ output, isError: false });
export const fail = (output: string): ToolResult => ({ output, isError: true });
