// @ts-check
/*
 * The small API of the local cloud's git server, a CGI program that nginx reaches through
 * fcgiwrap (basic auth is nginx's). Plain CommonJS run by a bare `node` per request.
 *
 *   POST   /api/repos                  {"name"}          201 {name, cloneUrl} | 409 | 400
 *   GET    /api/repos                                    200 {items: [{name, cloneUrl}]}
 *   GET    /api/repos/<name>                             200 {name, cloneUrl} | 404
 *   DELETE /api/repos/<name>                             204 | 404
 *   POST   /api/repos/<name>/hooks     {"url","token"}   201 {id, url} (200 when that URL had a hook: new token)
 *   GET    /api/repos/<name>/hooks                       200 {items: [{id, url}]} (never the tokens)
 *   DELETE /api/repos/<name>/hooks/<id>                  204 | 404
 *
 * Errors: {"error": {"message": "..."}} with 400, 404, 405, 409, 413 or 500.
 */
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { addHook, readHooks, removeHook } = require('./webhooks');

const NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;
const MAX_BODY = 64 * 1024;

/**
 * @typedef {{ reposDir: string, url: string, git: string, hookProgram: string }} ApiConfig
 * @typedef {{ method: string, path: string, body: string }} ApiRequest
 * @typedef {{ status: number, body?: unknown }} ApiResponse
 */

class HttpError extends Error {
  constructor(/** @type {number} */ status, /** @type {string} */ message) {
    super(message);
    this.status = status;
  }
}

/** Why a repository name is refused, or undefined when it is fine. */
function nameProblem(/** @type {unknown} */ name) {
  if (typeof name !== 'string') return 'name: a string is required';
  if (!NAME.test(name)) {
    return `name: '${name.slice(
      0,
      120,
    )}' is not a repository name (lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, at most 100 characters)`;
  }
  if (name.includes('..')) return `name: '${name}' must not contain '..'`;
  return undefined;
}

function parseBody(/** @type {string} */ raw) {
  let body;
  try {
    body = JSON.parse(raw || 'null');
  } catch {
    throw new HttpError(400, 'the body is not JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(400, 'the body must be a JSON object');
  }
  return body;
}

function repoDir(/** @type {ApiConfig} */ config, /** @type {string} */ name) {
  return path.join(config.reposDir, `${name}.git`);
}

function describe(/** @type {ApiConfig} */ config, /** @type {string} */ name) {
  return { name, cloneUrl: `${config.url}/${name}.git` };
}

/** Makes the post-receive hook of a repository the server's program (a link, so restarts keep it current). */
function installHook(
  /** @type {ApiConfig} */ config,
  /** @type {string} */ dir,
) {
  const hook = path.join(dir, 'hooks', 'post-receive');
  fs.mkdirSync(path.dirname(hook), { recursive: true });
  fs.rmSync(hook, { force: true });
  fs.symlinkSync(config.hookProgram, hook);
}

function createRepo(
  /** @type {ApiConfig} */ config,
  /** @type {string} */ name,
) {
  const dir = repoDir(config, name);
  fs.mkdirSync(config.reposDir, { recursive: true });
  try {
    // the folder is the claim: of two creates at once, one makes it and the other gets a 409
    fs.mkdirSync(dir);
  } catch (error) {
    if (/** @type {any} */ (error).code === 'EEXIST') {
      throw new HttpError(409, `repository ${name} exists`);
    }
    throw error;
  }
  try {
    execFileSync(
      config.git,
      ['init', '--quiet', '--bare', '--initial-branch=main', dir],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    execFileSync(config.git, [
      '--git-dir',
      dir,
      'config',
      'http.receivepack',
      'true',
    ]);
    fs.writeFileSync(
      path.join(dir, 'description'),
      `${name} (local-cloud git server)\n`,
    );
    installHook(config, dir);
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return describe(config, name);
}

function existingRepo(
  /** @type {ApiConfig} */ config,
  /** @type {string} */ name,
) {
  const problem = nameProblem(name);
  if (problem) throw new HttpError(400, problem);
  const dir = repoDir(config, name);
  if (!fs.existsSync(path.join(dir, 'HEAD'))) {
    throw new HttpError(404, `no repository ${name}`);
  }
  return dir;
}

function hookUrlProblem(/** @type {unknown} */ url) {
  if (typeof url !== 'string' || url.length > 2048) {
    return 'url: a string of at most 2048 characters is required';
  }
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return `url: '${url.slice(0, 200)}' is not a URL`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `url: only http and https receivers are called, not ${parsed.protocol}`;
  }
  if (parsed.username || parsed.password) {
    return 'url: put no user or password in the URL (the token goes in "token")';
  }
  return undefined;
}

/** @returns {ApiResponse} */
function route(/** @type {ApiConfig} */ config, /** @type {ApiRequest} */ req) {
  const parts = req.path
    .replace(/\/+$/, '')
    .split('/')
    .slice(1)
    .map(decodeURIComponent);
  if (parts[0] !== 'api' || parts[1] !== 'repos' || parts.length > 5) {
    throw new HttpError(404, `no such API path: ${req.path}`);
  }
  const [, , name, sub, id] = parts;
  const allow = (/** @type {string[]} */ methods) => {
    if (!methods.includes(req.method)) {
      throw new HttpError(
        405,
        `${req.method} is not allowed on ${req.path} (${methods.join(', ')})`,
      );
    }
  };
  if (name === undefined) {
    allow(['GET', 'POST']);
    if (req.method === 'GET') {
      const names = fs.existsSync(config.reposDir)
        ? fs
            .readdirSync(config.reposDir)
            .filter(
              f =>
                f.endsWith('.git') &&
                fs.existsSync(path.join(config.reposDir, f, 'HEAD')),
            )
            .map(f => f.slice(0, -4))
            .sort()
        : [];
      return {
        status: 200,
        body: { items: names.map(n => describe(config, n)) },
      };
    }
    const body = parseBody(req.body);
    const problem = nameProblem(body.name);
    if (problem) throw new HttpError(400, problem);
    return { status: 201, body: createRepo(config, body.name) };
  }
  const dir = existingRepo(config, name);
  if (sub === undefined) {
    allow(['GET', 'DELETE']);
    if (req.method === 'DELETE') {
      fs.rmSync(dir, { recursive: true, force: true });
      return { status: 204 };
    }
    return { status: 200, body: describe(config, name) };
  }
  if (sub !== 'hooks')
    throw new HttpError(404, `no such API path: ${req.path}`);
  if (id === undefined) {
    allow(['GET', 'POST']);
    if (req.method === 'GET') {
      return {
        status: 200,
        body: {
          items: readHooks(dir).map(h => ({
            id: h.id,
            url: h.url,
            createdAt: h.createdAt,
          })),
        },
      };
    }
    const body = parseBody(req.body);
    const problem = hookUrlProblem(body.url);
    if (problem) throw new HttpError(400, problem);
    if (
      body.token !== undefined &&
      (typeof body.token !== 'string' ||
        body.token.length > 1024 ||
        [...body.token].some(
          c => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f,
        ))
    ) {
      throw new HttpError(
        400,
        'token: a string of at most 1024 printable characters',
      );
    }
    const { hook, created } = addHook(dir, body.url, body.token || undefined);
    return {
      status: created ? 201 : 200,
      body: { id: hook.id, url: hook.url },
    };
  }
  allow(['DELETE']);
  if (!removeHook(dir, id))
    throw new HttpError(404, `repository ${name} has no hook ${id}`);
  return { status: 204 };
}

/** @returns {ApiResponse} */
function handle(
  /** @type {ApiConfig} */ config,
  /** @type {ApiRequest} */ req,
) {
  try {
    return route(config, req);
  } catch (error) {
    if (error instanceof HttpError) {
      return {
        status: error.status,
        body: { error: { message: error.message } },
      };
    }
    return {
      status: 500,
      body: {
        error: {
          message: `the git server failed: ${
            /** @type {Error} */ (error).message.split('\n')[0]
          }`,
        },
      },
    };
  }
}

const REASONS = /** @type {Record<number, string>} */ ({
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  500: 'Internal Server Error',
});

/** The CGI entry point: request from the environment and stdin, response on stdout. */
function cgiMain(/** @type {ApiConfig} */ config) {
  const length = Number(process.env.CONTENT_LENGTH || 0);
  /** @type {ApiResponse} */
  let res;
  if (length > MAX_BODY) {
    res = {
      status: 413,
      body: { error: { message: `the body is larger than ${MAX_BODY} bytes` } },
    };
  } else {
    const body = length > 0 ? fs.readFileSync(0, 'utf8') : '';
    res = handle(config, {
      method: process.env.REQUEST_METHOD || 'GET',
      path: process.env.DOCUMENT_URI || process.env.PATH_INFO || '/',
      body,
    });
  }
  const text = res.body === undefined ? '' : `${JSON.stringify(res.body)}\n`;
  process.stdout.write(
    `Status: ${res.status} ${REASONS[res.status] ?? ''}\r\n${
      text ? 'Content-Type: application/json\r\n' : ''
    }\r\n${text}`,
  );
}

module.exports = { cgiMain, handle, installHook, nameProblem, NAME };
