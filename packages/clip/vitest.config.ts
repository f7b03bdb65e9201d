import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 120_000,
    passWithNoTests: true,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
  },
});
