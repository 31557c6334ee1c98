import { execa } from 'execa';
import { z } from 'zod';
import { cutOutput } from './cut-output.js';
import { stopGroup } from '../../proc/kill-group.js';
import { defineTool, fail, type ToolResult } from './types.js';

/** Grace between SIGTERM and SIGKILL for a command's process group. */
const KILL_GRACE_MS = 2000;

export const bashTool = defineTool({
  name: 'bash',
  description:
    'Run a shell command in the workspace root and return its combined stdout and stderr (long output is cut, ' +
    'keeping the start, the end and the lines around errors) and its exit code. No interactive input.',
  input: {
    command: z.string().min(1).describe('The shell command, run with `bash -c` in the workspace root.'),
    timeout_ms: z.number().int().positive().optional().describe('Kill the command after this long (capped by the run).'),
  },
  async run(input, ctx, signal): Promise<ToolResult> {
    const verdict = ctx.policy(input.command);
    if (verdict.action === 'deny') return fail(`command refused by the shell policy: it ${verdict.reason}`);
    if (verdict.action === 'ask' && !(await ctx.approve?.(input.command, verdict.reason))) {
      if (!ctx.approve) ctx.refused?.(input.command, verdict.reason);
      const who = ctx.approve ? 'the person declined' : 'nobody is there to approve it (autopilot)';
      return fail(`command refused: it ${verdict.reason} and needs a person's approval; ${who}`);
    }
    const timeoutMs = Math.min(input.timeout_ms ?? ctx.commandTimeoutMs, ctx.commandTimeoutMs);
    const contained = ctx.sandbox
      ? await ctx.sandbox.contain(input.command, ctx.workspace, ctx.extraEnv)
      : { file: 'bash', args: ['-c', input.command], env: ctx.env, release: () => {} };
    const child = execa(contained.file, contained.args, {
      cwd: ctx.workspace,
      env: contained.env,
      extendEnv: false,
      stdin: 'ignore',
      all: true,
      reject: false,
      stripFinalNewline: false,
      // Its own process group, so a timeout also ends whatever the command started.
      detached: true,
    });
    // A labpilot killed meanwhile leaves the group running; the record lets a resume end it.
    const forget = child.pid === undefined ? undefined : ctx.onSpawn?.(child.pid);
    let timedOut = false;
    let aborted = false;
    const stop = () => stopGroup(child.pid, KILL_GRACE_MS);
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, timeoutMs);
    const onAbort = () => {
      aborted = true;
      stop();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    try {
      const result = await child;
      const out = typeof result.all === 'string' ? result.all : '';
      const text = ctx.redact(out.endsWith('\n') || out === '' ? out : `${out}\n`);
      const body = cutOutput(text, ctx.outputBudgetChars);
      let status: string;
      if (timedOut) status = `[timed out after ${timeoutMs / 1000}s; command killed]`;
      else if (aborted) status = '[aborted; command killed]';
      else if (result.exitCode !== undefined) status = `[exit code ${result.exitCode}]`;
      else status = `[killed by ${result.signal ?? 'a signal'}]`;
      return { output: `${body}${status}`, isError: timedOut || aborted || result.exitCode !== 0 };
    } finally {
      forget?.();
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      contained.release();
    }
  },
});
