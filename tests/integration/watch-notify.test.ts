import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { labpilot, tempDir, until } from '../helpers/cli.js';

/**
 * `labpilot watch` follows a run started by another process from its log, and `--notify` posts
 * a Slack-compatible `{"text": ...}` to a real local HTTP server when the run ends.
 */
describe('labpilot watch and --notify', () => {
  let server: Server;
  let url: string;
  const posts: Array<{ path: string; type: string; body: unknown }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        posts.push({ path: req.url ?? '', type: req.headers['content-type'] ?? '', body: JSON.parse(body) });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('watch prints the run as it goes from another process and ends with it; both post the end', async () => {
    const dir = tempDir();
    const home = tempDir();
    const playbook = join(dir, 'waits.yaml');
    // The command waits for a file the test writes once the watcher has shown it running.
    writeFileSync(
      playbook,
      ['name: waits', 'steps:', '  - id: stage', '    kind: run', `    command: "sh -c 'echo waiting; while [ ! -e go ]; do sleep 0.05; done; echo finished'"`, '    done_when: [{ check: exit_code, equals: 0 }]', ''].join('\n'),
    );
    const run = labpilot(['--home', home, 'run', playbook, '--workdir', dir, '--notify', `${url}/run`], { ANTHROPIC_API_KEY: '' });
    let runOut = '';
    run.child.stdout!.on('data', (d: Buffer) => (runOut += d.toString()));
    const runId = await until('the run id', () => /^run (\S+):/m.exec(runOut)?.[1]);
    await until('the command', () => (runOut.includes('$ sh -c') ? true : undefined));

    const watch = labpilot(['--home', home, 'watch', runId, '--notify', `${url}/watch`]);
    let watchOut = '';
    watch.child.stdout!.on('data', (d: Buffer) => (watchOut += d.toString()));
    await until('the watcher to show the running command', () => (watchOut.includes('$ sh -c') ? true : undefined));
    expect(watchOut).toContain(`run ${runId}: waits (autopilot)`);
    writeFileSync(join(dir, 'go'), '');

    const [ran, watched] = await Promise.all([run.done, watch.done]);
    expect(ran.code).toBe(0);
    expect(watched.code).toBe(0);
    expect(watched.stdout).toContain('step stage: passed');
    expect(watched.stdout).toContain('run ended: passed');
    const text = `labpilot run ${runId} (waits) ended: passed: every step passed`;
    expect(posts.filter((p) => p.path === '/run')).toEqual([{ path: '/run', type: 'application/json', body: { text } }]);
    expect(posts.filter((p) => p.path === '/watch')).toEqual([{ path: '/watch', type: 'application/json', body: { text } }]);
  });

  it('watch of a run whose process is gone without a verdict says how to resume it, exit 4', async () => {
    const dir = tempDir();
    const home = tempDir();
    const playbook = join(dir, 'sleeps.yaml');
    writeFileSync(playbook, ['name: sleeps', 'steps:', '  - id: stage', '    kind: run', '    command: "sleep 60"', ''].join('\n'));
    const run = labpilot(['--home', home, 'run', playbook, '--workdir', dir], { ANTHROPIC_API_KEY: '' });
    let out = '';
    run.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const runId = await until('the run id', () => /^run (\S+):/m.exec(out)?.[1]);
    const pidRecord = join(home, 'runs', runId, 'commands', 'c1.pid');
    await until('the command’s pid record', () => (existsSync(pidRecord) ? true : undefined));
    run.child.kill('SIGKILL');
    await run.done;
    const watched = await labpilot(['--home', home, 'watch', runId]).done;
    expect(watched.code).toBe(4);
    expect(watched.stdout).toContain(`resume it with: labpilot resume ${runId}`);
    // A sandboxed command dies with labpilot; one outside it would run on in its process group.
    try {
      process.kill(-JSON.parse(readFileSync(pidRecord, 'utf8')).pid, 'SIGKILL');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  });
});
