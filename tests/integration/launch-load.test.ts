import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import type { ReactElement } from 'react';
import { describe, expect, it } from 'vitest';
import type * as LaunchLoad from '../../src/ui/launch-load.js';
import type * as Deciders from '../../src/runner/deciders.js';

// The built loader and the bundle beside it, as the build (tests/global-setup.ts) made them.
const built = new URL('../../dist/ui/launch-load.js', import.meta.url);

function standInTerminal() {
  const out = { frames: '' };
  const stdout = Object.assign(new EventEmitter(), { columns: 100, rows: 40, write: (s: string) => ((out.frames += s), true) });
  const noop = () => {};
  const stdin = Object.assign(new EventEmitter(), { isTTY: true, setRawMode: noop, setEncoding: noop, ref: noop, unref: noop, read: () => null });
  return { out, options: { stdin, stdout, stderr: stdout, exitOnCtrlC: false, patchConsole: false } };
}

describe('the bundled terminal app', () => {
  it("is one module holding Ink and React, importing labpilot's own modules from beside it", async () => {
    const { bundleFile } = (await import(built.href)) as typeof LaunchLoad;
    const source = readFileSync(bundleFile, 'utf8');
    const imports = [...source.matchAll(/(?:from|import)\s*"([^"]+)"/g)].map((m) => m[1]!);
    expect(imports.filter((i) => /^(ink|react|yoga-layout)/.test(i))).toEqual([]);
    expect(imports).toContain('../runner/deciders.js');
  });

  it("loads and draws the app, whose decider is the run's own class", async () => {
    const { loadLaunch } = (await import(built.href)) as typeof LaunchLoad;
    const bundle = (await loadLaunch()) as LaunchLoad.Bundle;
    expect(typeof bundle.render).toBe('function');
    const terminal = standInTerminal();
    const view = bundle.openAppView({ mode: 'interactive', env: {}, mount: (app: ReactElement) => bundle.render(app, terminal.options) });
    expect(terminal.out.frames).toContain('? keys · p prompt · m mode · Esc interrupt · Ctrl-C×2 quit');
    const { HumanDecider } = (await import(new URL('../runner/deciders.js', built).href)) as typeof Deciders;
    expect(view.decider).toBeInstanceOf(HumanDecider);
    await view.close();
  });
});
