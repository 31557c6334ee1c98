import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import type { ReactElement } from 'react';
import type { AppView, AppViewOptions, Mounted } from './launch.js';

/**
 * Loads the terminal app from its bundle (scripts/bundle-ui.mjs) with V8's code cache: compiling
 * the bundle, and each function the first frame calls, was a third of the time to that frame.
 * Node 20 caches no module's code, so the bundle is a script run here, handed the few labpilot
 * modules it shares with the run. Without the bundle, the unbundled app loads.
 */
export interface Launch {
  openAppView(o: AppViewOptions): AppView;
}

export interface Bundle extends Launch {
  /** Fills in the bundle's Yoga from its wasm, compiled by the caller. */
  startYoga(wasm: Promise<WasmModule>): Promise<void>;
  render(app: ReactElement, options: object): Mounted;
}

// TypeScript's WebAssembly types come with the DOM library, which this project leaves out.
type WasmModule = object;
declare const WebAssembly: { compile(bytes: Uint8Array): Promise<WasmModule> };

/** The build's files, in dist/ui beside this module unless told otherwise. */
export const bundleFiles = (dir = new URL('.', import.meta.url)) => ({
  bundle: new URL('launch.bundle.cjs', dir),
  cache: new URL('launch.bundle.cache', dir),
  yoga: new URL('launch.yoga.wasm', dir),
});

export async function loadLaunch(): Promise<Launch> {
  return existsSync(bundleFiles().bundle) ? (await loadBundle()).bundle : import('./launch.js');
}

/** The bundle, and whether V8 took its code cache (a cache for another build or Node is not). */
export async function loadBundle(dir?: URL): Promise<{ bundle: Bundle; cached: boolean }> {
  const { bundle, script } = await runBundle(true, dir);
  return { bundle, cached: script.cachedDataRejected === false };
}

/**
 * Compiles and runs the bundle. Its first line names its build and the labpilot modules it
 * shares; the code cache starts with the same line, since V8 itself checks only that the source
 * has the length the cache was made for.
 */
export async function runBundle(useCache: boolean, dir?: URL): Promise<{ bundle: Bundle; script: Script; build: Buffer }> {
  const files = bundleFiles(dir);
  // V8 compiles wasm on other threads: Yoga's compiles while the bundle is read and run.
  const wasm = WebAssembly.compile(readFileSync(files.yoga));
  const source = readFileSync(files.bundle);
  const build = source.subarray(0, source.indexOf('\n') + 1);
  // The labpilot modules it shares, imported as the run imports them: the errors and the decider
  // are the run's own classes. They are named relative to dist/ui, where this module is too; they
  // load while the bundle compiles.
  const names = /; shares (.*)$/.exec(build.toString().trim())?.[1]?.split(' ') ?? [];
  const modules = Promise.all(names.map((name) => import(new URL(name, import.meta.url).href)));
  const filename = fileURLToPath(files.bundle);
  // The build makes it ASCII only, so Latin-1 reads it as UTF-8 would, only sooner.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source.toString('latin1')}\n})`, {
    filename,
    cachedData: useCache ? cacheOf(files.cache, build) : undefined,
  });
  const shared = new Map((await modules).map((m, i) => [names[i], m]));
  const nodeRequire = createRequire(files.bundle);
  const module = { exports: {} as Bundle };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run(module.exports, (id: string) => shared.get(id) ?? nodeRequire(id), module, filename, fileURLToPath(new URL('.', files.bundle)));
  await module.exports.startYoga(wasm);
  return { bundle: module.exports, script, build };
}

function cacheOf(file: URL, build: Buffer): Buffer | undefined {
  try {
    const cache = readFileSync(file);
    return cache.subarray(0, build.length).equals(build) ? cache.subarray(build.length) : undefined;
  } catch {
    return undefined;
  }
}
