#!/usr/bin/env node
// Runs bench/alerts/autoscaler.ts with the Backstage CLI's TypeScript transform (no build step).
require('@backstage/cli/config/nodeTransform.cjs');
require('./autoscaler.ts')
  .main(process.argv.slice(2))
  .then(
    code => {
      process.exitCode = code;
    },
    error => {
      process.stderr.write(
        `bench/alerts/autoscaler: ${error?.stack ?? error}\n`,
      );
      process.exitCode = 1;
    },
  );
