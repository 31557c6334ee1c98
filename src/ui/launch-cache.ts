import { EventEmitter } from 'node:events';
import { renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ReactElement } from 'react';
import { bundleFiles, runBundle } from './launch-load.js';

/**
 * Run by the build (scripts/bundle-ui.mjs) once the bundle is written: compiles it, draws the
 * app once on a stand-in terminal, so the functions a first frame calls are compiled too, and
 * writes V8's code cache for all of it beside the bundle, after the bundle's build line.
 */
export async function writeCodeCache(): Promise<void> {
  const { bundle, script, build } = await withColours(() => runBundle(false));
  const { stdin, stdout } = standInTerminal();
  const mount = (app: ReactElement) => bundle.render(app, { stdin, stdout, stderr: stdout, exitOnCtrlC: false, patchConsole: false });
  await bundle.openAppView({ mode: 'interactive', env: {}, mount }).close();
  // Written whole and renamed: a run starting meanwhile reads the old cache or the new one.
  const file = fileURLToPath(bundleFiles().cache);
  const temporary = `${file}.${process.pid}`;
  writeFileSync(temporary, Buffer.concat([build, script.createCachedData()]));
  renameSync(temporary, file);
}

/** Colours on while the bundle loads (chalk decides then), as on a person's terminal. */
async function withColours<T>(f: () => Promise<T>): Promise<T> {
  const before = process.env.FORCE_COLOR;
  process.env.FORCE_COLOR = '1';
  try {
    return await f();
  } finally {
    if (before === undefined) delete process.env.FORCE_COLOR;
    else process.env.FORCE_COLOR = before;
  }
}

/** A 100x40 terminal that keeps nothing, and a keyboard that types nothing. */
function standInTerminal() {
  const stdout = Object.assign(new EventEmitter(), { columns: 100, rows: 40, write: () => true });
  const noop = () => {};
  const stdin = Object.assign(new EventEmitter(), { isTTY: true, setRawMode: noop, setEncoding: noop, ref: noop, unref: noop, read: () => null });
  return { stdin, stdout };
}
