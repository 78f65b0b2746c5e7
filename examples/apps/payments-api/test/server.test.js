'use strict';

const assert = require('node:assert/strict');
const { after, before, test } = require('node:test');
const { start } = require('../src/server');

let server;
let base;

before(async () => {
  server = await start(0);
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => new Promise(resolve => server.close(resolve)));

test('GET /healthz answers 200 with status ok', async () => {
  const res = await fetch(`${base}/healthz`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /application\/json/);
  assert.deepEqual(await res.json(), { status: 'ok' });
});

test('GET / names the service and its version', async () => {
  const body = await (await fetch(`${base}/`)).json();
  assert.equal(body.service, 'payments-api');
  assert.equal(typeof body.version, 'string');
});

test('an unknown path is a 404', async () => {
  const res = await fetch(`${base}/nothing-here`);
  assert.equal(res.status, 404);
});
