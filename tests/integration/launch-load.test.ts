import { EventEmitter } from 'node:events';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ReactElement } from 'react';
import { afterAll, describe, expect, it } from 'vitest';
import type * as LaunchLoad from '../../src/ui/launch-load.js';

// The built loader, next to the bundle and the code cache the build (tests/global-setup.ts) made.
const built = new URL('../../dist/ui/launch-load.js', import.meta.url);
const load = async () => (await import(built.href)) as typeof LaunchLoad;

function standInTerminal() {
  const out = { frames: '' };
  const stdout = Object.assign(new EventEmitter(), { columns: 100, rows: 40, write: (s: string) => ((out.frames += s), true) });
  const noop = () => {};
  const stdin = Object.assign(new EventEmitter(), { isTTY: true, setRawMode: noop, setEncoding: noop, ref: noop, unref: noop, read: () => null });
  return { out, options: { stdin, stdout, stderr: stdout, exitOnCtrlC: false, patchConsole: false } };
}

const copies: string[] = [];
afterAll(() => copies.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** The build's files in a folder of their own, the cache's build line as `line` gives it. */
function copyOfBuild(line: (build: string) => string): URL {
  const dir = mkdtempSync(join(tmpdir(), 'labpilot-launch-'));
  copies.push(dir);
  const { bundle, cache, yoga } = { bundle: 'launch.bundle.cjs', cache: 'launch.bundle.cache', yoga: 'launch.yoga.wasm' };
  for (const name of [bundle, yoga]) copyFileSync(new URL(name, built), join(dir, name));
  const data = readFileSync(new URL(cache, built));
  const end = data.indexOf('\n') + 1;
  writeFileSync(join(dir, cache), Buffer.concat([Buffer.from(line(data.subarray(0, end).toString())), data.subarray(end)]));
  return pathToFileURL(`${dir}/`);
}

describe('the bundled terminal app', () => {
  it('loads with the code cache the build wrote and draws the app', async () => {
    const { loadBundle } = await load();
    const { bundle, cached } = await loadBundle();
    expect(cached).toBe(true);
    const terminal = standInTerminal();
    const view = bundle.openAppView({ mode: 'interactive', env: {}, mount: (app: ReactElement) => bundle.render(app, terminal.options) });
    expect(terminal.out.frames).toContain('? keys · p prompt · m mode · Esc interrupt · Ctrl-C×2 quit');
    await view.close();
  });

  it('draws its coloured first frame without a grapheme segmenter or the emoji regex: its text is plain', async () => {
    const { loadBundle } = await load();
    const made: string[] = [];
    const colour = process.env.FORCE_COLOR;
    process.env.FORCE_COLOR = '1';
    const { Segmenter } = Intl;
    const RealRegExp = globalThis.RegExp;
    Reflect.set(Intl, 'Segmenter', new Proxy(Segmenter, { construct: (target, args) => (made.push('Intl.Segmenter'), Reflect.construct(target, args)) }));
    globalThis.RegExp = new Proxy(RealRegExp, { construct: (target, args) => (made.push(`RegExp ${String(args[0])}`), Reflect.construct(target, args)) });
    try {
      const { bundle } = await loadBundle();
      const terminal = standInTerminal();
      const view = bundle.openAppView({ mode: 'interactive', env: {}, mount: (app: ReactElement) => bundle.render(app, terminal.options) });
      expect(terminal.out.frames).toContain('\u001b[90m? keys');
      expect(made.filter((m) => /Segmenter|RGI_Emoji/.test(m))).toEqual([]);
      await view.close();
    } finally {
      Reflect.set(Intl, 'Segmenter', Segmenter);
      globalThis.RegExp = RealRegExp;
      if (colour === undefined) delete process.env.FORCE_COLOR;
      else process.env.FORCE_COLOR = colour;
    }
  });

  it('uses a code cache only with the build line of its bundle', async () => {
    const { loadBundle } = await load();
    expect((await loadBundle(copyOfBuild((line) => line))).cached).toBe(true);
    const other = await loadBundle(copyOfBuild((line) => line.replace(/build \S+/, 'build another-one')));
    expect(other.cached).toBe(false);
    // Compiled from its source instead, it works all the same.
    const terminal = standInTerminal();
    const view = other.bundle.openAppView({ mode: 'interactive', env: {}, mount: (app: ReactElement) => other.bundle.render(app, terminal.options) });
    expect(terminal.out.frames).toContain('? keys');
    await view.close();
  });
});
