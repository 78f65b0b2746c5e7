#!/usr/bin/env node
// Runs bench/storage/bench.ts (mount → rolled out), or configFiles.ts when the first argument is
// `configFiles` (save → visible, the 200 x 500 tab), with the Backstage CLI's TypeScript
// transform (no build step).
require('@backstage/cli/config/nodeTransform.cjs');
const args = process.argv.slice(2);
const which = args[0] === 'configFiles' ? './configFiles.ts' : './bench.ts';
require(which)
  .main(args[0] === 'configFiles' ? args.slice(1) : args)
  .then(
    code => {
      process.exitCode = code;
    },
    error => {
      process.stderr.write(`bench/storage: ${error?.stack ?? error}\n`);
      process.exitCode = 1;
    },
  );
