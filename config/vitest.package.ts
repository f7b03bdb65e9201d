import { defineConfig } from 'vitest/config';

/** Test settings every workspace shares; the JSON report feeds scripts/test-summary.mjs. */
export const packageTestConfig = defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 120_000,
    passWithNoTests: true,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
  },
});
