// Bundles the terminal app (dist/ui/launch.js with Ink and React) into one ES module,
// dist/ui/launch.bundle.mjs. Node resolves and compiles Ink's and React's few hundred small
// modules one by one; one file loads in a fraction of that time (`npm run bench -- first-frame`,
// figures in docs/architecture.md). The CLI loads dist/ui/launch.js when there is no bundle.
import { fileURLToPath, URL } from 'node:url';
import { build } from 'esbuild';

const stubs = {
  // Ink loads its devtools bridge only when DEV=true; the bridge's optional peer is not installed.
  'react-devtools-core': 'export default { connectToDevTools() {} };',
  // Ink draws only its static part when it guesses it runs in CI. The app is mounted only once
  // labpilot has decided the terminal is live (src/ui/front-end.ts), so a shell that happens to
  // export CI must not hide the approval prompt from the person at it.
  'is-in-ci': 'export default false;',
};
const stubbed = {
  name: 'stubbed',
  setup(b) {
    b.onResolve({ filter: /^(react-devtools-core|is-in-ci)$/ }, (args) => ({ path: args.path, namespace: 'stub' }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, (args) => ({ contents: stubs[args.path] }));
  },
};

// labpilot's own modules outside ui/ stay outside the bundle: the app and the run share one copy
// of each, so the errors and the decider the app answers are the classes the run uses.
const coreExternal = {
  name: 'core-external',
  setup(b) {
    b.onResolve({ filter: /^\.\.\// }, (args) => (/[\\/]dist[\\/]ui$/.test(args.resolveDir) ? { path: args.path, external: true } : undefined));
  },
};

const ui = (name) => fileURLToPath(new URL(`../dist/ui/${name}`, import.meta.url));
await build({
  // The app, and Ink's render for a caller that draws it on a terminal of its own (the tests).
  stdin: { contents: "export { openAppView } from './launch.js';\nexport { render } from 'ink';\n", resolveDir: ui(''), sourcefile: 'launch-entry.js', loader: 'js' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: ui('launch.bundle.mjs'),
  plugins: [stubbed, coreExternal],
  define: { 'process.env.NODE_ENV': '"production"' },
  // Ink's CommonJS dependencies require Node's built-ins; an ES module has no `require` of its own.
  banner: { js: "import { createRequire as labpilotRequire } from 'node:module'; const require = labpilotRequire(import.meta.url);" },
  minify: true,
  logLevel: 'warning',
});
