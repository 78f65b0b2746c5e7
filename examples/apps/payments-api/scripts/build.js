// Copies src/ to dist/: what `npm run build` leaves for the image (dist/server.js is started).
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
fs.rmSync(dist, { recursive: true, force: true });
fs.cpSync(path.join(root, 'src'), dist, { recursive: true });
const files = fs.readdirSync(dist, { recursive: true });
console.log(`build: ${files.length} files copied from src/ to dist/`);
