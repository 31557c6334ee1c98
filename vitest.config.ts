import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'tests/**/*.test.{ts,tsx}'],
    globalSetup: ['tests/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests spawn real processes and servers; two cores is the target machine.
    pool: 'forks',
    // Ink stops live rendering when the CI variable is set; the bundled app is built without
    // that guess (scripts/bundle-ui.mjs), and the tests load Ink unbundled, so they clear it too.
    env: { CI: 'false', CONTINUOUS_INTEGRATION: 'false' },
    maxWorkers: 2,
  },
});
