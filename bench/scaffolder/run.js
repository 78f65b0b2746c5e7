#!/usr/bin/env node
// Runs bench/scaffolder/run.ts with the Backstage CLI's TypeScript transform (no build step).
require('@backstage/cli/config/nodeTransform.cjs');
require('./run.ts')
  .main(process.argv.slice(2))
  .then(
    code => {
      process.exitCode = code;
    },
    error => {
      process.stderr.write(`bench/scaffolder/run: ${error?.stack ?? error}\n`);
      process.exitCode = 1;
    },
  );
