'use strict';

/**
 * The middleware the app store attached to this service, read from the environment: the
 * template's optional Redis puts REDIS_HOST, REDIS_PORT and REDIS_PASSWORD there, its optional
 * MySQL MYSQL_HOST, MYSQL_PORT, MYSQL_USER and MYSQL_PASSWORD (each password a reference to the
 * instance's Secret). This app has no client library: it only reports what is configured, on
 * /healthz and in its first log line, and never the password itself.
 */
const MIDDLEWARE = [
  ['redis', 'REDIS_'],
  ['mysql', 'MYSQL_'],
];

function configuredMiddleware(env = process.env) {
  const configured = {};
  for (const [name, prefix] of MIDDLEWARE) {
    const host = env[`${prefix}HOST`];
    if (!host) continue;
    const port = Number(env[`${prefix}PORT`]);
    configured[name] = {
      host,
      ...(Number.isInteger(port) && port > 0 ? { port } : {}),
      ...(env[`${prefix}USER`] ? { user: env[`${prefix}USER`] } : {}),
      passwordSet: Boolean(env[`${prefix}PASSWORD`]),
    };
  }
  return configured;
}

module.exports = { configuredMiddleware };
