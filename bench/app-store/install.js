#!/usr/bin/env node
// Runs bench/app-store/install.ts with the Backstage CLI's TypeScript transform (no build step).
require('@backstage/cli/config/nodeTransform.cjs');
require('./install.ts')
  .main(process.argv.slice(2))
  .then(
    code => {
      process.exitCode = code;
    },
    error => {
      process.stderr.write(
        `bench/app-store/install: ${error?.stack ?? error}\n`,
      );
      process.exitCode = 1;
    },
  );
