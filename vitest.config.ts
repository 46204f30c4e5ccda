import { defineConfig } from 'vitest/config';

// Six projects, one run. `npm test` runs them all; CI reads the closing "N passed, N failed" line
// printed by test/support/summary-reporter.ts.
export default defineConfig({
  test: {
    globals: true,
    projects: [
      {
        test: {
          name: 'unit',
          globals: true,
          environment: 'node',
          include: ['test/unit/**/*.test.ts'],
          globalSetup: ['test/support/build-once.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        esbuild: { jsx: 'automatic' },
        test: {
          name: 'renderer',
          globals: true,
          environment: 'jsdom',
          include: ['test/renderer/**/*.test.tsx'],
        },
      },
      {
        test: {
          name: 'ui',
          globals: true,
          environment: 'node',
          include: ['test/ui/**/*.test.ts'],
          globalSetup: ['test/support/build-once.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        // The exported jobs run by the real Anaplan Connect (ANAPLAN_CONNECT_DIR): one Java at a time on 2 cores.
        test: {
          name: 'interop',
          globals: true,
          environment: 'node',
          include: ['test/interop/**/*.test.ts'],
          globalSetup: ['test/support/build-once.ts', 'test/interop/gate.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        // Every exported .bat run by a calibrated cmd.exe (Wine, scripts/wine-cmd-setup.sh): one wine at a time.
        test: {
          name: 'windows',
          globals: true,
          environment: 'node',
          include: ['test/windows/**/*.test.ts'],
          globalSetup: ['test/support/build-once.ts', 'test/windows/gate.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          globals: true,
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/build-once.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
