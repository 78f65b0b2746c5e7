'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { createApp, SERVICE } = require('../src/app');

async function withServer(fn) {
  const server = createApp({ version: 'test' });
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    await fn(base, server);
  } finally {
    await new Promise(resolve => server.close(resolve));
  }
}

test('GET /healthz answers 200 while running', async () => {
  await withServer(async base => {
    const res = await fetch(`${base}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });
});

test('GET /healthz answers 503 once shutting down', async () => {
  await withServer(async (base, server) => {
    server.beginShutdown();
    const res = await fetch(`${base}/healthz`);
    assert.equal(res.status, 503);
  });
});

test('GET / names the service and its version', async () => {
  await withServer(async base => {
    const res = await fetch(`${base}/`);
    assert.deepEqual(await res.json(), { service: SERVICE, version: 'test' });
  });
});
