// payments-api: a small JSON service. GET /healthz for probes, GET / says who and which version
// runs; one JSON line per request on stdout; SIGTERM lets open requests finish, then exits.
'use strict';

const http = require('node:http');

const SERVICE = 'payments-api';
const VERSION =
  process.env.APP_VERSION || process.env.npm_package_version || 'dev';

function log(fields) {
  process.stdout.write(
    `${JSON.stringify({
      time: new Date().toISOString(),
      service: SERVICE,
      ...fields,
    })}\n`,
  );
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function handle(req, res) {
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    log({
      level: 'info',
      method: req.method,
      path: req.url,
      status: res.statusCode,
      ms: Math.round(ms * 10) / 10,
    });
  });
  const url = new URL(req.url, 'http://localhost');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, { error: `${req.method} is not allowed` });
  } else if (url.pathname === '/healthz') {
    send(res, 200, { status: 'ok' });
  } else if (url.pathname === '/') {
    send(res, 200, {
      service: SERVICE,
      version: VERSION,
      hostname: process.env.HOSTNAME || null,
    });
  } else {
    send(res, 404, { error: `no route ${url.pathname}` });
  }
}

/** Starts the server; resolves it once it listens (port 0: any free port). */
function start(port = Number(process.env.PORT || 8080)) {
  const server = http.createServer(handle);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      log({
        level: 'info',
        msg: 'listening',
        port: server.address().port,
        version: VERSION,
      });
      resolve(server);
    });
  });
}

if (require.main === module) {
  start().then(
    server => {
      process.once('SIGTERM', () => {
        log({ level: 'info', msg: 'SIGTERM: finishing open requests' });
        server.close(() => {
          log({ level: 'info', msg: 'stopped' });
          process.exit(0);
        });
        server.closeIdleConnections();
        // requests still open after 10 s are cut
        setTimeout(() => process.exit(0), 10_000).unref();
      });
    },
    error => {
      log({ level: 'error', msg: error.message });
      process.exit(1);
    },
  );
}

module.exports = { start, VERSION };
