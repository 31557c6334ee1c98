import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCommandOutput } from './streams.js';

const dir = mkdtempSync(join(tmpdir(), 'labpilot-streams-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The command output path a run takes, with the stream named at each push. */
function streams(onLine: (line: string, stream: 'stdout' | 'stderr') => void, file = join(dir, 'c.log')) {
  const o = openCommandOutput(file, undefined, onLine);
  return { stdout: { push: (s: string) => o.push(Buffer.from(s), 'stdout') }, stderr: { push: (s: string) => o.push(Buffer.from(s), 'stderr') }, end: () => (o.end(), o.close()) };
}

describe('a command’s two streams', () => {
  it('come out in the order their lines arrived, though one held a line for its continuation', () => {
    const seen: string[] = [];
    const n = streams((line, stream) => seen.push(`${stream}: ${line}`));
    // An error line as long as Modal's console wraps is held for a continuation on its stream.
    const long = `Stopping app - uncaught exception raised in remote container: RuntimeError('Error(s) in loading state_dict ')`;
    n.stdout.push(`${long}\n`);
    n.stderr.push('RuntimeError: Error(s) in loading state_dict for DraftModel:\n');
    n.end();
    expect(seen).toEqual([`stdout: ${long}`, 'stderr: RuntimeError: Error(s) in loading state_dict for DraftModel:']);
  });
});
