import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labpilot, ofType, parseEvents, tempDir } from '../helpers/cli.js';
import { GENERATOR, lastStated, pythonWithRich } from '../helpers/libero-logs.js';
import type { Event } from '../../src/events/schema.js';

/**
 * A real run whose command prints as OpenVLA-OFT's evaluation does on its console (logging's
 * `%(asctime)s [%(levelname)s]` prefix, tqdm redraws on the same stream): the step's figures,
 * its output events and its gates read the normalised lines, and commands/<id>.log keeps the
 * bytes the command wrote.
 */
describe('a run step on OpenVLA-OFT console output', () => {
  let events: Event[];
  let code: number | null;
  let home: string;

  beforeAll(async () => {
    const python = pythonWithRich();
    const dir = tempDir('labpilot-forms-');
    home = tempDir();
    const playbook = join(dir, 'oft.yaml');
    writeFileSync(
      playbook,
      [
        'name: oft-console',
        'steps:',
        '  - id: eval',
        '    kind: run',
        `    command: ${python} ${GENERATOR} console - --tasks 2 --trials 3 --seed 5`,
        '    metrics:',
        '      - { name: episodes, regex: "^(?:# episodes completed so far|Total episodes): (\\\\d+)" }',
        '      - { name: successes, regex: "^(?:# successes|Total successes): (\\\\d+)" }',
        '      - { name: success_rate, regex: "^(?:Current total success rate|Overall success rate): ([0-9.]+)" }',
        '    done_when:',
        '      - { check: exit_code, equals: 0 }',
        '      - { check: metric, expr: "episodes == 6" }',
        '      - { check: output_matches, regex: "^Total successes: \\\\d+$" }',
      ].join('\n') + '\n',
    );
    const r = await labpilot(['--home', home, 'run', playbook, '--workdir', dir, '--json', '--mode', 'autopilot']).done;
    if (r.code !== 0) console.error(r.stderr);
    code = r.code;
    events = parseEvents(r.stdout);
  });

  it('passes on figures equal to the final lines the command printed', () => {
    const raw = readFileSync(join(home, 'runs', ofType(events, 'run_started')[0]!.runId, 'commands', 'c1.log'), 'utf8');
    const exited = ofType(events, 'command_exited')[0]!;
    expect(exited.metrics).toEqual({ episodes: lastStated(raw, 'Total episodes'), successes: lastStated(raw, 'Total successes'), success_rate: lastStated(raw, 'Overall success rate') });
    expect(ofType(events, 'gate_judged').map((g) => g.passed)).toEqual([true, true, true]);
    expect(code).toBe(0);
  });

  it('keeps the raw bytes in the command log and the messages in the events', () => {
    const raw = readFileSync(join(home, 'runs', ofType(events, 'run_started')[0]!.runId, 'commands', 'c1.log'), 'utf8');
    expect(raw).toMatch(/\r {2}0%\|/);
    expect(raw).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \[INFO\] Total episodes: 6$/m);
    const lines = ofType(events, 'command_output').map((e) => e.line);
    expect(lines).toContain('Total episodes: 6');
    expect(lines.filter((l) => l.includes('[INFO]') || l.includes('\r'))).toEqual([]);
    expect(lines.filter((l) => l.startsWith('Task: ')).length).toBe(6);
  });
});
