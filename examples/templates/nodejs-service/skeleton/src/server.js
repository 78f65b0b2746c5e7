'use strict';

const { createApp, SERVICE } = require('./app');
const { log } = require('./log');

const port = Number(process.env.PORT || '${{ values.port }}');
const server = createApp();

server.listen(port, () => {
  log('info', 'listening', {
    service: SERVICE,
    port: server.address().port,
    // the middleware configured (e.g. ["redis"]); /healthz says where
    middleware: Object.keys(server.middleware),
  });
});

// Kubernetes sends SIGTERM, waits terminationGracePeriodSeconds, then SIGKILL: stop taking new
// connections, let the open requests finish, then exit 0.
function shutdown(signal) {
  log('info', 'shutting down', { signal });
  server.beginShutdown();
  server.close(() => {
    log('info', 'stopped');
    process.exit(0);
  });
  server.closeIdleConnections();
  setTimeout(() => {
    log('error', 'requests still open after 10 s; exiting');
    process.exit(1);
  }, 10_000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
