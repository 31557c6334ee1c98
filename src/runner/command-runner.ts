import { execa } from 'execa';
import type { CommandRequest, CommandResult, CommandRunner } from '../ports.js';
import { createLineSplitter } from '../engine/line-splitter.js';
import { stopGroup } from '../proc/kill-group.js';
import type { CommandSandbox } from '../sandbox/types.js';

/**
 * Runs shell commands with execa, streaming output line by line. The command gets its own
 * process group, so stopping it (timeout, early stop, Esc) also ends what it spawned, such as
 * the Python process behind `modal run`.
 */
export function createExecaRunner(baseEnv: NodeJS.ProcessEnv = process.env, sandbox?: CommandSandbox): CommandRunner {
  return {
    async run(req: CommandRequest): Promise<CommandResult> {
      const started = Date.now();
      // In the sandbox the command gets the allow-listed environment plus the request's own.
      const contained = sandbox
        ? await sandbox.contain(req.command, req.cwd, req.env)
        : { file: 'bash', args: ['-c', req.command], env: { ...baseEnv, ...req.env } as Record<string, string>, release: () => {} };
      const child = execa(contained.file, contained.args, {
        cwd: req.cwd,
        env: contained.env,
        extendEnv: false,
        reject: false,
        buffer: false,
        stdin: 'ignore',
        detached: true,
        encoding: 'buffer',
      });
      if (child.pid !== undefined) req.onSpawn?.(child.pid);
      const { onChunk } = req;
      const out = createLineSplitter((line) => req.onLine?.(line, 'stdout'));
      const err = createLineSplitter((line) => req.onLine?.(line, 'stderr'));
      child.stdout?.on('data', (chunk: Buffer) => (onChunk ? onChunk(chunk, 'stdout') : out.push(chunk)));
      child.stderr?.on('data', (chunk: Buffer) => (onChunk ? onChunk(chunk, 'stderr') : err.push(chunk)));

      let timedOut = false;
      const stop = (why: 'timeout' | 'abort') => {
        if (why === 'timeout') timedOut = true;
        stopGroup(child.pid, 3000);
      };
      const timer = req.timeoutMs ? setTimeout(() => stop('timeout'), req.timeoutMs) : undefined;
      const onAbort = () => stop('abort');
      req.signal?.addEventListener('abort', onAbort, { once: true });
      if (req.signal?.aborted) onAbort();
      try {
        const result = await child;
        out.end();
        err.end();
        return {
          exitCode: result.exitCode ?? null,
          signal: result.signal ?? null,
          durationMs: Date.now() - started,
          timedOut,
        };
      } finally {
        if (timer) clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        contained.release();
      }
    },
  };
}
