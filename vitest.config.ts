import { defineConfig } from 'vitest/config';

// Two projects: `unit` (src/, no build, fast) and `integration` (tests/, runs the real binary, so
// it builds the CLI and the terminal app's bundle first). `npm test` runs both.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests spawn real processes and servers; two cores is the target machine.
    pool: 'forks',
    // Ink stops live rendering when the CI variable is set; the bundled app is built without
    // that guess (scripts/bundle-ui.mjs), and the tests load Ink unbundled, so they clear it too.
    env: { CI: 'false', CONTINUOUS_INTEGRATION: 'false' },
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.{ts,tsx}'] } },
      {
        extends: true,
        test: { name: 'integration', include: ['tests/**/*.test.{ts,tsx}'], globalSetup: ['tests/global-setup.ts'] },
      },
    ],
  },
});
