import { describe, expect, it } from 'vitest';
import { relinked } from './save.js';

describe('the saved copy of a report', () => {
  it('points its log and results links back into the run folder, in Markdown and HTML', () => {
    const md = '| 1 | [log](commands/c3.log), [results](results/eval%20x.json) | see [the guide](https://x.org/commands/a) |';
    expect(relinked(md, '../../..')).toBe('| 1 | [log](../../../commands/c3.log), [results](../../../results/eval%20x.json) | see [the guide](https://x.org/commands/a) |');
    const html = '<a href="commands/c3.log">log</a> <a href="results/r.json">results</a>';
    expect(relinked(html, '../..')).toBe('<a href="../../commands/c3.log">log</a> <a href="../../results/r.json">results</a>');
  });
});
