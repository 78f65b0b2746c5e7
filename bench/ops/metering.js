#!/usr/bin/env node
// Runs bench/ops/metering.ts with the Backstage CLI's TypeScript transform (no build step).
require('@backstage/cli/config/nodeTransform.cjs');
require('./metering.ts')
  .main(process.argv.slice(2))
  .then(
    code => {
      process.exitCode = code;
    },
    error => {
      process.stderr.write(`bench/ops/metering: ${error?.stack ?? error}\n`);
      process.exitCode = 1;
    },
  );
