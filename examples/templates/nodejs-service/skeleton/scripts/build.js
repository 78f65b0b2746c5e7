// The build: the app's sources into dist/, which the codeflow copies into the image as /app.
// No bundler and no dependencies: the image runs exactly these files with `node server.js`.
'use strict';

const { cpSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
cpSync(join(root, 'src'), dist, { recursive: true });
console.log(JSON.stringify({ level: 'info', msg: 'built', out: 'dist' }));
