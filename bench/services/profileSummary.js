#!/usr/bin/env node
// Runs bench/services/profileSummary.ts with the Backstage CLI's TypeScript transform (no build step).
require('@backstage/cli/config/nodeTransform.cjs');
require('./profileSummary.ts')
  .main(process.argv.slice(2))
  .then(
    code => {
      process.exitCode = code;
    },
    error => {
      process.stderr.write(
        `bench/services/profileSummary: ${error?.stack ?? error}\n`,
      );
      process.exitCode = 1;
    },
  );
