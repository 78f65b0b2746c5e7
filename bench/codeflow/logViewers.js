#!/usr/bin/env node
// Runs bench/codeflow/logViewers.ts with the Backstage CLI's TypeScript transform (no build step).
require('@backstage/cli/config/nodeTransform.cjs');
require('./logViewers.ts')
  .main(process.argv.slice(2))
  .then(
    code => {
      process.exitCode = code;
    },
    error => {
      process.stderr.write(
        `bench/codeflow/logViewers: ${error?.stack ?? error}\n`,
      );
      process.exitCode = 1;
    },
  );
