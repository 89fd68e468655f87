import solid from 'vite-plugin-solid';
import { defineConfig } from 'vitest/config';
import SummaryLineReporter from './test/support/summary-reporter';

// One `vitest run` at the root runs every workspace's tests and prints one summary.
export default defineConfig({
  test: {
    reporters: ['default', new SummaryLineReporter()],
    projects: [
      {
        test: {
          name: 'crypto-core',
          include: ['crypto-core/test/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'server',
          include: ['server/src/**/*.test.ts', 'server/test/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        plugins: [solid()],
        test: {
          name: 'web',
          // Stores, formatting and the client are tested without a DOM; the browser is the e2e project.
          environment: 'node',
          include: ['web/src/**/*.test.{ts,tsx}', 'web/test/**/*.test.{ts,tsx}'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
