import { describe, expect, it } from 'vitest';
import { outputNormalisers } from './streams.js';

describe('a command’s two streams', () => {
  it('come out in the order their lines arrived, though one held a line for its continuation', () => {
    const seen: string[] = [];
    const n = outputNormalisers(undefined, (line, stream) => seen.push(`${stream}: ${line}`));
    // An error line as long as Modal's console wraps is held for a continuation on its stream.
    const long = `Stopping app - uncaught exception raised in remote container: RuntimeError('Error(s) in loading state_dict ')`;
    n.stdout.push(`${long}\n`);
    n.stderr.push('RuntimeError: Error(s) in loading state_dict for DraftModel:\n');
    n.end();
    expect(seen).toEqual([`stdout: ${long}`, 'stderr: RuntimeError: Error(s) in loading state_dict for DraftModel:']);
  });

  it('keep a redraw in progress on one stream while the other prints', () => {
    const seen: string[] = [];
    const n = outputNormalisers(undefined, (line, stream) => seen.push(`${stream}: ${line}`));
    n.stderr.push(' 10%|#         | 5/50\r');
    n.stdout.push('Task: pick up the bowl\n');
    n.stderr.push(' 12%|#         | 6/50\n');
    n.end();
    expect(seen).toEqual(['stdout: Task: pick up the bowl', 'stderr:  12%|#         | 6/50']);
  });
});
