#!/usr/bin/env node
// Runs bench/codeflow/builds.ts with the Backstage CLI's TypeScript transform (no build step).
require('@backstage/cli/config/nodeTransform.cjs');
require('./builds.ts')
  .main(process.argv.slice(2))
  .then(
    code => {
      process.exitCode = code;
      // the test backend's scheduler and the catalog keep timers: end once the result is out
      process.exit(code);
    },
    error => {
      process.stderr.write(`bench/codeflow/builds: ${error?.stack ?? error}\n`);
      process.exit(1);
    },
  );
