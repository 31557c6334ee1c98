// Bundles the terminal app (dist/ui/launch.js with Ink and React) into one CommonJS file and
// records V8's code cache for it. Node resolves Ink's few hundred small modules one by one, and
// compiles each: one file, compiled from the cache (src/ui/launch-load.ts), loads in a fraction
// of that. The CLI falls back to dist/ui/launch.js without the bundle.
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Buffer } from 'node:buffer';
import { URL, fileURLToPath } from 'node:url';
import { build } from 'esbuild';

// Ink loads its devtools bridge only when DEV=true; the bridge's optional peer is left out.
const noDevtools = {
  name: 'no-devtools',
  setup(b) {
    b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'react-devtools-core', namespace: 'stub' }));
    b.onLoad({ filter: /^react-devtools-core$/, namespace: 'stub' }, () => ({ contents: 'export default { connectToDevTools() {} };' }));
    b.onLoad({ filter: /^is-in-ci$/, namespace: 'stub' }, () => ({ contents: 'export default false;' }));
  },
};

// Ink renders only its static part when it guesses it runs in CI (the CI variable is set). The
// app is mounted only when labpilot has decided the terminal is live (src/ui/front-end.ts), so
// that guess must not hide the approval prompt from a person whose shell happens to export CI.
const liveTerminal = {
  name: 'live-terminal',
  setup(b) {
    b.onResolve({ filter: /^is-in-ci$/ }, () => ({ path: 'is-in-ci', namespace: 'stub' }));
  },
};

// labpilot's own modules outside ui/ stay shared with the CLI: one copy of each, so errors and
// the decider the app answers are the same classes the run uses. The bundle's first line names
// them, for its loader to import and hand over (src/ui/launch-load.ts).
const shared = new Set();
const coreExternal = {
  name: 'core-external',
  setup(b) {
    b.onResolve({ filter: /^\.\.\// }, (args) => {
      if (!/[\\/]dist[\\/]ui$/.test(args.resolveDir)) return undefined;
      shared.add(args.path);
      return { path: args.path, external: true };
    });
  },
};

// Plain text is measured and split into graphemes by src/ui/launch-plain-text.ts: string-width
// builds and compiles an emoji regex, and the first Intl.Segmenter loads ICU's break rules, over
// a third of the CPU before the first frame, for text that needs neither. Every import of
// string-width (Ink's and wrap-ansi's older copy) answers plain text there, escape codes
// stripped by its own strip-ansi, and loads its real copy, lazily through require(), only for
// other text; every `Intl.Segmenter` in the bundle is
// its PlainSegmenter (see `inject` and `define` below).
const plainText = fileURLToPath(new URL('../dist/ui/launch-plain-text.js', import.meta.url));
const plainWidth = {
  name: 'plain-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData === 'real') return undefined;
      const real = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'real' });
      return real.errors.length ? { errors: real.errors } : { path: real.path, namespace: 'plain-width' };
    });
    b.onLoad({ filter: /.*/, namespace: 'plain-width' }, (args) => ({
      contents:
        `import stripAnsi from 'strip-ansi';\n` +
        `import { withPlainWidth } from ${JSON.stringify(plainText)};\n` +
        `export default withPlainWidth(() => require(${JSON.stringify(args.path)}).default, stripAnsi);\n`,
      resolveDir: dirname(args.path),
    }));
  },
};

// Ink's reconciler awaits its devtools bridge and its package.json at the top of its module when
// DEV=true; a script cannot. The bridge's peer is stubbed out above, so in the bundle there is
// nothing to connect to either way: both awaits give what DEV unset gives. Each edit must apply,
// so a changed Ink fails the build instead of bundling something else.
const inkWithoutTopLevelAwait = {
  name: 'ink-without-top-level-await',
  setup(b) {
    b.onLoad({ filter: /[\\/]ink[\\/]build[\\/]reconciler\.js$/ }, async (args) => {
      let contents = await readFile(args.path, 'utf8');
      for (const [from, to] of [
        ["await import('./devtools.js');", ''],
        ['await loadPackageJson()', '{ name: undefined, version: undefined }'],
      ]) {
        if (!contents.includes(from)) throw new Error(`${args.path} no longer has ${from}`);
        contents = contents.replace(from, to);
      }
      return { contents, loader: 'js' };
    });
  },
};

// Yoga awaits its wasm at the top of its module, which only an ES module may do; V8's code cache
// is for scripts. Its wasm, inlined as base64, is written beside the bundle instead
// (launch.yoga.wasm), for the loader to compile on another thread while the bundle loads; the
// bundle's Yoga is filled in by startYoga(compiled wasm), which the loader awaits before the app
// is drawn. Ink reads Yoga only when it lays out, never while its modules load.
const yogaWasm = fileURLToPath(new URL('../dist/ui/launch.yoga.wasm', import.meta.url));
const yogaFromCompiledWasm = {
  name: 'yoga-from-compiled-wasm',
  setup(b) {
    b.onLoad({ filter: /[\\/]yoga-layout[\\/]dist[\\/]src[\\/]index\.js$/ }, (args) => ({
      contents: [
        "import loadYoga from '../binaries/yoga-wasm-base64-esm.js';",
        "import wrapAssembly from './wrapAssembly.js';",
        'const Yoga = {};',
        'export default Yoga;',
        "export * from './generated/YGEnums.js';",
        'export function startYoga(wasm) {',
        '  return new Promise((resolve, reject) => {',
        '    const instantiateWasm = (imports, done) => {',
        '      wasm.then((module) => WebAssembly.instantiate(module, imports)).then(done, reject);',
        '      return {};',
        '    };',
        '    loadYoga({ instantiateWasm }).then((lib) => resolve(void Object.assign(Yoga, wrapAssembly(lib))), reject);',
        '  });',
        '}',
      ].join('\n'),
      resolveDir: dirname(args.path),
    }));
    b.onLoad({ filter: /[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, async (args) => {
      const contents = await readFile(args.path, 'utf8');
      const inlined = /(["'])data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)\1/.exec(contents);
      if (!inlined) throw new Error(`${args.path} no longer inlines its wasm as base64`);
      await writeFile(yogaWasm, Buffer.from(inlined[2], 'base64'));
      return { contents: contents.replace(inlined[0], '"data:application/octet-stream;base64,"'), loader: 'js' };
    });
  },
};

// An ES module importing a CommonJS one gets its own copy of its exports (esbuild's __toESM):
// React's for each of some forty modules, Node's process object for a dozen, a few ms of the
// bundle's start. Each such module is imported through one module that copies it once: React's
// exports by name, a Node built-in's live, as __toESM gives them.
const builtin = /^(node:)?(process|fs|os|tty)$/;
const oneCopy = {
  name: 'one-copy',
  setup(b) {
    b.onResolve({ filter: /^(react(\/jsx-runtime)?|(node:)?(process|fs|os|tty))$/ }, async (args) => {
      if (args.kind !== 'import-statement' || args.namespace === 'one-copy' || args.pluginData === 'real') return undefined;
      if (builtin.test(args.path)) return { path: `node:${args.path.replace(/^node:/, '')}`, namespace: 'one-copy' };
      const real = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'real' });
      return real.errors.length ? { errors: real.errors } : { path: real.path, namespace: 'one-copy' };
    });
    b.onLoad({ filter: /.*/, namespace: 'one-copy' }, (args) => {
      const from = JSON.stringify(args.path);
      if (args.path.startsWith('node:')) return { contents: `export * from ${from};\nexport { default } from ${from};\n` };
      const names = Object.keys(createRequire(import.meta.url)(args.path)).filter((name) => name !== 'default');
      return { contents: `import * as real from ${from};\nexport default real.default;\nexport const { ${names.join(', ')} } = real;\n`, resolveDir: dirname(args.path) };
    });
  },
};

// signal-exit (Ink's, to restore the terminal on exit) requires Node's assert, a few
// milliseconds of the start, to check with assert.equal that each handler is a function. An
// equal pair passes without it; Node's assert loads for anything else.
const lazyAssert = {
  name: 'lazy-assert',
  setup(b) {
    b.onResolve({ filter: /^(node:)?assert$/ }, (args) => (args.kind === 'require-call' && args.namespace === 'file' ? { path: 'assert', namespace: 'lazy-assert' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-assert' }, () => ({
      contents: [
        'let assert;',
        "const real = () => (assert ??= require('node:assert'));",
        'const equal = (actual, expected, ...rest) => { if (actual != expected) real().equal(actual, expected, ...rest); };',
        "module.exports = new Proxy(function assert() {}, { get: (_, key) => (key === 'equal' ? equal : real()[key]), apply: (_, self, args) => real()(...args) });",
      ].join('\n'),
    }));
  },
};

// The entry: the app, Yoga's start, and Ink's render for the code cache's warm-up.
const entry = [
  "export { openAppView } from './launch.js';",
  "export { startYoga } from 'yoga-layout';",
  "export { render } from 'ink';",
].join('\n');

const { outputFiles } = await build({
  stdin: { contents: entry, resolveDir: fileURLToPath(new URL('../dist/ui', import.meta.url)), sourcefile: 'launch-entry.js', loader: 'js' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: fileURLToPath(new URL('../dist/ui/launch.bundle.cjs', import.meta.url)),
  plugins: [noDevtools, liveTerminal, coreExternal, oneCopy, lazyAssert, plainWidth, inkWithoutTopLevelAwait, yogaFromCompiledWasm],
  // Yoga's wasm loader fetches its inlined binary when `fetch` exists; the first touch of
  // `fetch` loads Node's HTTP client (undici). The app never fetches: it takes the plain path.
  define: { 'process.env.NODE_ENV': '"production"', fetch: 'undefined', 'Intl.Segmenter': 'PlainSegmenter' },
  inject: [plainText],
  minify: true,
  write: false,
  logLevel: 'warning',
});

// esbuild writes ASCII only (non-ASCII characters escaped); the loader relies on it.
if (/[\u0080-\uffff]/.test(outputFiles[0].text)) throw new Error('the bundle is not ASCII only');
// The first line: the build's name, which the code cache repeats, and the shared modules.
const firstLine = `// labpilot terminal app, build ${randomUUID()}; shares ${[...shared].sort().join(' ')}\n`;
await writeFile(outputFiles[0].path, firstLine + outputFiles[0].text);

// The code cache holds what compiling the bundle and drawing a first frame compiled; without it
// (or for another Node) the loader compiles the bundle itself.
const { writeCodeCache } = await import('../dist/ui/launch-cache.js');
await writeCodeCache();
