import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import type { Event, EventInput } from '../events/schema.js';
import { Live } from './history.js';
import { foldView, initialView } from './view-state.js';
import { mount } from '../../tests/integration/interactive-rig.js';

afterEach(cleanup);

const fold = (inputs: EventInput[]) => inputs.reduce((s, e, seq) => foldView(s, { ...e, seq, ts: '2026-01-01T00:00:00Z' } as Event), initialView());
const started = (commandId: string, item?: string): EventInput => ({ type: 'command_started', commandId, step: 'full', command: `modal run eval.py --task-suite ${item ?? 'libero_spatial'}`, cwd: '/ws', ...(item && { item }) });
const out = (commandId: string, n: number): EventInput[] =>
  Array.from({ length: n }, (_, i) => ({ type: 'command_output', commandId, stream: 'stdout', line: `# episodes completed so far: ${i + 1} (${commandId})` }));

describe('the running commands above the header', () => {
  it('shows one command with its last six lines, unlabelled', async () => {
    const r = mount(<Live state={fold([started('c1'), ...out('c1', 8)])} />);
    const f = await r.waitFor('$ modal run');
    expect(f).toContain('  $ modal run eval.py --task-suite libero_spatial …');
    expect(f.match(/\| # episodes/g)).toHaveLength(6);
  });

  it('labels each of several commands with its suite and shows its last two lines', async () => {
    const r = mount(<Live state={fold([started('c5', 'libero_spatial'), started('c6', 'libero_object'), ...out('c5', 5), ...out('c6', 4)])} />);
    const f = await r.waitFor('libero_object] $');
    expect(f).toContain('  [libero_spatial] $ modal run eval.py --task-suite libero_spatial …');
    expect(f).toContain('  [libero_object] $ modal run eval.py --task-suite libero_object …');
    expect(f.match(/\| # episodes completed so far: \d \(c5\)/g)).toEqual(['| # episodes completed so far: 4 (c5)', '| # episodes completed so far: 5 (c5)']);
    expect(f.match(/\| # episodes completed so far: \d \(c6\)/g)).toEqual(['| # episodes completed so far: 3 (c6)', '| # episodes completed so far: 4 (c6)']);
  });
});
