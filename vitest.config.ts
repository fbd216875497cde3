import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // The lifecycle tests run the binary a dozen times each; on a shared 2-core machine (load 20+)
    // that took more than 30 s while nothing hung. A hang still ends, and fails, here.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // Real sockets and a real keyring: keep parallelism modest on 2-core machines.
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
