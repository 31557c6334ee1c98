// Bundles the terminal app (dist/ui/launch.js with Ink and React) into one file. Node resolves
// Ink's few hundred small modules one by one, which was most of the time to the first frame;
// one file loads in a fraction of it. The CLI falls back to dist/ui/launch.js without it.
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
// the decider the app answers are the same classes the run uses.
const coreExternal = {
  name: 'core-external',
  setup(b) {
    b.onResolve({ filter: /^\.\.\// }, (args) => (/[\\/]dist[\\/]ui$/.test(args.resolveDir) ? { path: args.path, external: true } : undefined));
  },
};

await build({
  entryPoints: ['dist/ui/launch.js'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: 'dist/ui/launch.bundle.js',
  plugins: [noDevtools, liveTerminal, coreExternal],
  // CommonJS dependencies (React) call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __labpilotRequire } from 'node:module'; const require = __labpilotRequire(import.meta.url);" },
  // Yoga's wasm loader fetches its inlined binary when `fetch` exists; the first touch of
  // `fetch` loads Node's HTTP client (undici). The app never fetches: it takes the plain path.
  define: { 'process.env.NODE_ENV': '"production"', fetch: 'undefined' },
  minify: true,
  logLevel: 'warning',
});
