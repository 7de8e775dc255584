import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/unit/store/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: media-heavy e2e files must not fight each other for CPU.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
