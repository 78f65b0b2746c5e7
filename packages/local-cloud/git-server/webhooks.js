// @ts-check
/*
 * The webhooks of the local cloud's git server: the list kept in each repository
 * (`<repo>.git/webhooks.json`), the post-receive hook that queues one GitLab-shaped delivery per
 * hook per pushed ref, and the detached deliverer that posts them and logs each outcome to
 * `<repo>.git/webhooks.log`. A receiver that is down or slow never blocks or fails a push.
 */
'use strict';

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { parseUpdates, pushEvents } = require('./pushEvents');

const HOOKS_FILE = 'webhooks.json';
const LOG_FILE = 'webhooks.log';
const SPOOL_DIR = 'webhooks-spool';
const DELIVERY_TIMEOUT_MS = 10_000;

/**
 * @typedef {{ id: string, url: string, token?: string, createdAt: string }} Hook
 * @typedef {{ url: string, git: string, hookProgram: string }} HookConfig
 */

/** @returns {Hook[]} */
function readHooks(/** @type {string} */ gitDir) {
  try {
    const hooks = JSON.parse(
      fs.readFileSync(path.join(gitDir, HOOKS_FILE), 'utf8'),
    );
    return Array.isArray(hooks) ? hooks : [];
  } catch {
    return [];
  }
}

function sleep(/** @type {number} */ ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `fn` holding `<repo>.git/webhooks.lock` (two API calls at once must not lose a hook). */
function withHooksLock(
  /** @type {string} */ gitDir,
  /** @type {() => any} */ fn,
) {
  const lock = path.join(gitDir, 'webhooks.lock');
  for (let attempt = 0; ; attempt++) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (error) {
      if (/** @type {any} */ (error).code !== 'EEXIST' || attempt > 100)
        throw error;
      sleep(50);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function writeHooks(/** @type {string} */ gitDir, /** @type {Hook[]} */ hooks) {
  const file = path.join(gitDir, HOOKS_FILE);
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(hooks, null, 2)}\n`, {
    mode: 0o600,
  });
  fs.renameSync(`${file}.tmp`, file);
}

/**
 * Adds a hook, or gives an existing hook of the same URL the new token.
 * @returns {{ hook: Hook, created: boolean }}
 */
function addHook(
  /** @type {string} */ gitDir,
  /** @type {string} */ url,
  /** @type {string | undefined} */ token,
) {
  return withHooksLock(gitDir, () => {
    const hooks = readHooks(gitDir);
    const existing = hooks.find(h => h.url === url);
    if (existing) {
      existing.token = token;
      writeHooks(gitDir, hooks);
      return { hook: existing, created: false };
    }
    const hook = {
      id: crypto.randomUUID(),
      url,
      token,
      createdAt: new Date().toISOString(),
    };
    writeHooks(gitDir, [...hooks, hook]);
    return { hook, created: true };
  });
}

/** @returns {boolean} whether a hook of that id was there */
function removeHook(/** @type {string} */ gitDir, /** @type {string} */ id) {
  return withHooksLock(gitDir, () => {
    const hooks = readHooks(gitDir);
    const left = hooks.filter(h => h.id !== id);
    if (left.length === hooks.length) return false;
    writeHooks(gitDir, left);
    return true;
  });
}

function logLine(/** @type {string} */ gitDir, /** @type {string} */ line) {
  fs.appendFileSync(
    path.join(gitDir, LOG_FILE),
    `${new Date().toISOString()} ${line}\n`,
  );
}

/**
 * The post-receive hook: reads the ref updates, builds the events now (the refs as this push left
 * them), writes them with the hooks to a spool file and hands it to a detached deliverer, so the
 * push returns at once whatever the receivers do.
 */
function postReceive(
  /** @type {HookConfig} */ config,
  /** @type {string} */ input,
) {
  const gitDir = path.resolve(process.env.GIT_DIR ?? '.');
  const hooks = readHooks(gitDir);
  const updates = parseUpdates(input);
  if (hooks.length === 0 || updates.length === 0) return;
  const pusher = {
    name:
      process.env.REMOTE_USER ||
      process.env.GIT_COMMITTER_NAME ||
      'local-cloud',
    email: process.env.GIT_COMMITTER_EMAIL || '',
  };
  let events;
  try {
    events = pushEvents(config, gitDir, updates, pusher);
  } catch (error) {
    logLine(
      gitDir,
      `could not read the push (${updates.map(u => u.ref).join(', ')}): ${
        /** @type {Error} */ (error).message.split('\n')[0]
      }`,
    );
    return;
  }
  if (events.length === 0) return;
  const spool = path.join(gitDir, SPOOL_DIR);
  fs.mkdirSync(spool, { recursive: true, mode: 0o700 });
  const file = path.join(
    spool,
    `${Date.now()}-${crypto.randomBytes(4).toString('hex')}.json`,
  );
  fs.writeFileSync(file, JSON.stringify({ gitDir, hooks, events }), {
    mode: 0o600,
  });
  const child = spawn(
    process.execPath,
    [config.hookProgram, '--deliver', file],
    {
      detached: true,
      stdio: 'ignore',
      cwd: gitDir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    },
  );
  child.unref();
  process.stdout.write(
    `local-cloud git: ${
      events.length * hooks.length
    } webhook deliveries queued (log: ${path.join(gitDir, LOG_FILE)})\n`,
  );
}

/** Posts one delivery; resolves its outcome as a log phrase, never rejects. */
async function post(
  /** @type {Hook} */ hook,
  /** @type {{ event: string, ref: string, body: unknown }} */ event,
  /** @type {string} */ instance,
) {
  const uuid = crypto.randomUUID();
  /** @type {Record<string, string>} */
  const headers = {
    'Content-Type': 'application/json',
    'User-Agent': 'GitLab/16.11.0 (local-cloud git server)',
    'X-Gitlab-Event': event.event,
    'X-Gitlab-Event-UUID': uuid,
    'X-Gitlab-Webhook-UUID': hook.id,
    'X-Gitlab-Instance': instance,
  };
  if (hook.token) headers['X-Gitlab-Token'] = hook.token;
  const what = `${event.event} ${event.ref} -> ${hook.url} (uuid ${uuid})`;
  try {
    const res = await fetch(hook.url, {
      method: 'POST',
      headers,
      body: JSON.stringify(event.body),
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      redirect: 'manual',
    });
    const text = (await res.text()).replace(/\s+/g, ' ').slice(0, 200);
    return `${what}: ${res.status}${text ? ` ${text}` : ''}`;
  } catch (error) {
    const cause = /** @type {any} */ (error).cause;
    return `${what}: FAILED ${
      cause?.code ?? cause?.message ?? /** @type {Error} */ (error).message
    }`;
  }
}

/** The detached deliverer: each hook gets every event of the push, in ref order; the spool file goes. */
async function deliver(
  /** @type {HookConfig} */ config,
  /** @type {string} */ file,
) {
  /** @type {{ gitDir: string, hooks: Hook[], events: Array<{ event: string, ref: string, body: unknown }> }} */
  const spool = JSON.parse(fs.readFileSync(file, 'utf8'));
  try {
    await Promise.all(
      spool.hooks.map(async hook => {
        for (const event of spool.events) {
          logLine(spool.gitDir, await post(hook, event, config.url));
        }
      }),
    );
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** Entry point of the generated `post-receive` program. */
function hookMain(
  /** @type {HookConfig} */ config,
  /** @type {string[]} */ argv,
) {
  if (argv[0] === '--deliver') {
    deliver(config, argv[1]).catch(error => {
      process.stderr.write(`${error.stack ?? error}\n`);
      process.exitCode = 1;
    });
    return;
  }
  try {
    postReceive(config, fs.readFileSync(0, 'utf8'));
  } catch (error) {
    // a hook failure must never look like a failed push: the refs are already updated
    process.stdout.write(
      `local-cloud git: webhooks not sent: ${
        /** @type {Error} */ (error).message
      }\n`,
    );
  }
}

module.exports = {
  readHooks,
  addHook,
  removeHook,
  hookMain,
  HOOKS_FILE,
  LOG_FILE,
};
