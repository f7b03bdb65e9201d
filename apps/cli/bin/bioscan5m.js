#!/usr/bin/env node
// Thin launcher so the bin link exists before the first build.
import('../dist/cli.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli.js')) {
    console.error('bioscan5m: the CLI is not built yet. Run `npm run build` in the repository root.');
    process.exit(1);
  }
  throw err;
});
