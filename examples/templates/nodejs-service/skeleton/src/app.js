'use strict';

const http = require('node:http');
const { log } = require('./log');
const { configuredMiddleware } = require('./middleware');

const SERVICE = '${{ values.name }}';

/**
 * The HTTP server: `GET /healthz` for the readiness and liveness probes (503 once shutting
 * down, so the Service stops sending traffic before the process ends; with the middleware
 * configured in `env`, if any), `GET /` says hello.
 */
function createApp({
  version = process.env.APP_VERSION || 'dev',
  env = process.env,
} = {}) {
  let shuttingDown = false;
  const middleware = configuredMiddleware(env);
  const health = Object.keys(middleware).length
    ? { status: 'ok', middleware }
    : { status: 'ok' };
  const server = http.createServer((req, res) => {
    const started = process.hrtime.bigint();
    const send = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
      log('info', 'request', {
        method: req.method,
        path: req.url,
        status,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      });
    };
    const path = new URL(req.url, 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/healthz') {
      return shuttingDown
        ? send(503, { status: 'shutting-down' })
        : send(200, health);
    }
    if (req.method === 'GET' && path === '/') {
      return send(200, { service: SERVICE, version });
    }
    return send(404, { error: 'not found' });
  });
  server.beginShutdown = () => {
    shuttingDown = true;
  };
  server.middleware = middleware;
  return server;
}

module.exports = { createApp, SERVICE };
