import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { ROOT } from '../helpers/cli.js';

/**
 * The Python side (the `modal` stand-in, the script checks, the sample solution tool) has its
 * own unittest suite; running it here makes `npm test` cover it.
 */
describe('python stand-in and checks', () => {
  it('passes its unittest suite', async () => {
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      execFile(
        'python3',
        ['-m', 'unittest', 'discover', '-s', 'python/tests', '-t', 'python'],
        { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
      );
    });
    if (result.code !== 0) console.error(result.output.slice(-8000));
    expect(result.output).toMatch(/^OK/m);
    expect(result.code).toBe(0);
  }, 150_000);
});
