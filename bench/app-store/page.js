#!/usr/bin/env node
// Runs bench/app-store/page.ts with the Backstage CLI's TypeScript transform (no build step).
require('@backstage/cli/config/nodeTransform.cjs');
require('./page.ts')
  .main(process.argv.slice(2))
  .then(
    code => {
      // the test backend's stop leaves a handle open now and then: the figures are out, so go
      process.exit(code);
    },
    error => {
      process.stderr.write(`bench/app-store/page: ${error?.stack ?? error}\n`);
      process.exitCode = 1;
    },
  );
