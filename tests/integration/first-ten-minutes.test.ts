import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { delimiter, join } from 'node:path';
import { ROOT, labpilot, tempDir } from '../helpers/cli.js';
import { parse } from 'yaml';

const RSD = join(ROOT, 'playbooks', 'rsd-phase3.yaml');
/** The test's PATH without any folder holding a `modal` (the stand-in's python/bin is never on it). */
const NO_MODAL = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((d) => d !== '' && !existsSync(join(d, 'modal')))
  .join(delimiter);

describe('pre-flight: a missing program is named before any turn', () => {
  let server: Server;
  let url: string;
  const requests: string[] = [];
  beforeAll(async () => {
    // Would be the model server: any request to it would be a turn (or a probe) too many.
    server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('labpilot run rsd-phase3 without modal on PATH: exit 3, one line naming modal, nothing created', async () => {
    const home = tempDir();
    const r = await labpilot(['--home', home, 'run', RSD, '--var', 'repo=R'], { PATH: NO_MODAL, ANTHROPIC_API_KEY: 'sk-ant-test-key-000000000000000000', ANTHROPIC_BASE_URL: url }).done;
    expect(r.code).toBe(3);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^labpilot: not ready: `modal` is not on PATH \(pip install modal/);
    expect(requests).toEqual([]);
    expect(existsSync(join(home, 'runs')) ? readdirSync(join(home, 'runs')) : []).toEqual([]);
  });

  it('everything missing is on the same line: the program and the key', async () => {
    const r = await labpilot(['--home', tempDir(), 'run', RSD, '--var', 'repo=R'], { PATH: NO_MODAL, ANTHROPIC_API_KEY: '' }).done;
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/`modal` is not on PATH.*; ANTHROPIC_API_KEY is not set/)]);
  });

  it('a model server that does not answer is exit 3 before any turn, and leaves no run folder', async () => {
    const home = tempDir();
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const dir = tempDir();
    const pb = join(dir, 'ask.yaml');
    writeFileSync(pb, 'name: ask\nsteps:\n  - { id: ask, kind: prompt, prompt: "Say hello." }\n');
    const r = await labpilot(['--home', home, 'run', pb, '--workdir', dir], { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000000000000000', ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}` }).done;
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining(`the model server http://127.0.0.1:${port} does not answer`)]);
    expect(existsSync(join(home, 'runs')) ? readdirSync(join(home, 'runs')) : []).toEqual([]);
  });
});

describe('a failed command explains itself', () => {
  it('plain output without -v shows the line the command printed before it failed', async () => {
    const dir = tempDir();
    const pb = join(dir, 'fails.yaml');
    writeFileSync(
      pb,
      [
        'name: fails',
        'steps:',
        '  - id: stage',
        '    kind: run',
        `    command: "sh -c 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo progress $i; done; echo ROOT-CAUSE-LINE >&2; echo done; exit 1'"`,
        '    max_attempts: 1',
        '    done_when: [{ check: exit_code, equals: 0 }]',
      ].join('\n') + '\n',
    );
    const r = await labpilot(['--home', tempDir(), 'run', pb, '--workdir', dir], { ANTHROPIC_API_KEY: '' }).done;
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    const exit = lines.findIndex((l) => /^ {2}exit 1 in /.test(l));
    expect(exit).toBeGreaterThan(0);
    expect(lines.slice(exit + 1, exit + 8).join('\n')).toContain('    | ROOT-CAUSE-LINE');
    // A few lines, not the whole output.
    expect(lines.filter((l) => l.startsWith('    | progress')).length).toBeLessThan(6);
  });
});

describe('CLI conventions', () => {
  it('--version prints the package version and exits 0', async () => {
    const r = await labpilot(['--version']).done;
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('a mistyped subcommand exits 2 with "did you mean"', async () => {
    const r = await labpilot(['rnu']).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'rnu'");
    expect(r.stderr).toContain('Did you mean run?');
  });

  it('an unknown --var exits 2 with "did you mean suite"', async () => {
    const r = await labpilot(['run', RSD, '--var', 'repo=R', '--var', 'suit=libero_object']).done;
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining("unknown variable 'suit' (did you mean 'suite'?")]);
  });
});

describe('init and graph', () => {
  it('labpilot init demo-pb writes a playbook that lint passes', async () => {
    const dir = tempDir();
    const init = await labpilot(['init', 'demo-pb'], {}, dir).done;
    expect(init.code).toBe(0);
    expect(existsSync(join(dir, 'prompts', 'demo-pb'))).toBe(true);
    const lint = await labpilot(['lint', 'demo-pb.yaml'], {}, dir).done;
    expect(lint.stderr).toBe('');
    expect(lint.code).toBe(0);
    expect((await labpilot(['init', 'demo-pb'], {}, dir).done).code).toBe(2);
  });

  it('init --from a Claude Code session: steps from the prompts, fixes triggered by the error lines', async () => {
    const dir = tempDir();
    const from = join(ROOT, 'tests', 'fixtures', 'transcripts', 'claude-code-rsd-session.jsonl');
    expect((await labpilot(['init', 'drafted', '--from', from], {}, dir).done).code).toBe(0);
    expect((await labpilot(['lint', 'drafted.yaml'], {}, dir).done).code).toBe(0);
    const pb = parse(readFileSync(join(dir, 'drafted.yaml'), 'utf8')) as { steps: unknown[]; remediations: Array<{ when: { match: string } }> };
    expect(pb.steps.length).toBeGreaterThan(2);
    const triggers = pb.remediations.map((r) => r.when.match);
    expect(triggers).toContain(String.raw`RuntimeError: Error\(s\) in loading state_dict for DraftModel:`);
    // Numbers vary from run to run: the trigger matches the next out-of-memory error too.
    const oom = new RegExp(triggers.find((t) => t.includes('OutOfMemoryError'))!);
    expect(oom.test('torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 512.00 MiB. GPU 3 has a total capacity of 79.15 GiB')).toBe(true);
  });

  it('labpilot graph rsd-phase3 prints the machine as a stateDiagram-v2 naming every step', async () => {
    const r = await labpilot(['graph', RSD]).done;
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('stateDiagram-v2');
    const ids = (parse(readFileSync(RSD, 'utf8')) as { steps: Array<{ id: string }> }).steps.map((s) => s.id);
    for (const id of ids) expect(r.stdout).toMatch(new RegExp(`^ {2}state "${id} \\(`, 'm'));
    // The machine's own phases, and a remediation as the edge a failed stage takes back to the agent.
    expect(r.stdout).toContain('    s_smoke__running --> s_smoke__checking : command exited');
    expect(r.stdout).toMatch(/^ {4}s_smoke__checking --> s_smoke__deciding : gates failed - outside-editable, .*cuda-oom/m);
    expect(r.stdout).toMatch(/^ {4}s_smoke__agent --> s_smoke__running : turn ended after outside-editable, .*cuda-oom/m);
    expect(r.stdout).toContain('  s_smoke --> s_stability : gates passed');
    expect(r.stdout).toContain('gate success rate at least');
  });
});
