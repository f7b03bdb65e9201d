import { defineConfig, mergeConfig } from 'vitest/config';
import { packageTestConfig } from '../../config/vitest.package.ts';

// Packing and installing happen once in beforeAll (about a minute on 2 busy cores); each case then runs in the
// installed consumer projects.
export default mergeConfig(packageTestConfig, defineConfig({ test: { hookTimeout: 600_000 } }));
