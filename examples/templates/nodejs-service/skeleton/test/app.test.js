'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { createApp, SERVICE } = require('../src/app');

// `env`: the environment the app reads its middleware from (none unless a test gives one)
async function withServer(fn, env = {}) {
  const server = createApp({ version: 'test', env });
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

test('GET /healthz says which middleware the app store attached, never a password', async () => {
  const env = {
    REDIS_HOST: 'cache-redis.payments.svc',
    REDIS_PORT: '6379',
    REDIS_PASSWORD: 'from-the-secret',
    MYSQL_HOST: 'db-mysql.payments.svc',
    MYSQL_PORT: '3306',
    MYSQL_USER: 'app',
  };
  await withServer(async base => {
    const res = await fetch(`${base}/healthz`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.deepEqual(JSON.parse(text), {
      status: 'ok',
      middleware: {
        redis: {
          host: 'cache-redis.payments.svc',
          port: 6379,
          passwordSet: true,
        },
        mysql: {
          host: 'db-mysql.payments.svc',
          port: 3306,
          user: 'app',
          passwordSet: false,
        },
      },
    });
    assert.ok(!text.includes('from-the-secret'));
  }, env);
});

test('GET /healthz reports no middleware when none is configured', async () => {
  await withServer(
    async base => {
      const res = await fetch(`${base}/healthz`);
      assert.deepEqual(await res.json(), { status: 'ok' });
    },
    // a port or a password without a host is no middleware
    { REDIS_PORT: '6379', MYSQL_PASSWORD: 'x' },
  );
});
