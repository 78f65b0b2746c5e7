// @ts-check
/*
 * GitLab-shaped push events of the local cloud's git server, read from a bare repository with
 * git itself. Plain CommonJS: the post-receive hook runs it with a bare `node`, no transform.
 * The shape follows GitLab's documented Push Hook and Tag Push Hook payloads.
 */
'use strict';

const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const path = require('node:path');

const ZERO = /^0+$/;
/** GitLab lists at most this many commits of a push (the newest ones), and counts them all. */
const MAX_COMMITS = 20;

/**
 * @typedef {{ before: string, after: string, ref: string }} RefUpdate
 * @typedef {{ url: string, git: string }} ServerConfig
 * @typedef {{ name: string, email: string }} Pusher
 * @typedef {{ event: 'Push Hook' | 'Tag Push Hook', ref: string, body: Record<string, unknown> }} PushEvent
 */

/** The lines post-receive reads on stdin: `<old> <new> <ref>`. */
function parseUpdates(/** @type {string} */ input) {
  return input
    .split('\n')
    .map(line => line.trim().split(/\s+/))
    .filter(parts => parts.length === 3)
    .map(([before, after, ref]) => ({ before, after, ref }));
}

/** Runs git in the repository; returns stdout. */
function git(
  /** @type {ServerConfig} */ config,
  /** @type {string} */ gitDir,
  /** @type {string[]} */ args,
) {
  return execFileSync(config.git, ['--git-dir', gitDir, ...args], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function repositoryName(/** @type {string} */ gitDir) {
  return path.basename(path.resolve(gitDir)).replace(/\.git$/, '');
}

/** A stable number for the repository, as GitLab's project ids are numbers. */
function projectId(/** @type {string} */ name) {
  return parseInt(
    crypto.createHash('sha1').update(name).digest('hex').slice(0, 7),
    16,
  );
}

function project(
  /** @type {ServerConfig} */ config,
  /** @type {string} */ gitDir,
) {
  const name = repositoryName(gitDir);
  let defaultBranch = 'main';
  try {
    defaultBranch = git(config, gitDir, [
      'symbolic-ref',
      '--short',
      'HEAD',
    ]).trim();
  } catch {
    // a detached HEAD: keep main
  }
  const webUrl = `${config.url}/${name}`;
  const httpUrl = `${config.url}/${name}.git`;
  return {
    project: {
      id: projectId(name),
      name,
      description: '',
      web_url: webUrl,
      avatar_url: null,
      git_ssh_url: null,
      git_http_url: httpUrl,
      namespace: '',
      visibility_level: 0,
      path_with_namespace: name,
      default_branch: defaultBranch,
      ci_config_path: null,
      homepage: webUrl,
      url: httpUrl,
      ssh_url: null,
      http_url: httpUrl,
    },
    repository: {
      name,
      url: httpUrl,
      description: '',
      homepage: webUrl,
      git_http_url: httpUrl,
      git_ssh_url: null,
      visibility_level: 0,
    },
  };
}

/** The files a commit added, modified and removed (against its first parent). */
function changedFiles(
  /** @type {ServerConfig} */ config,
  /** @type {string} */ gitDir,
  /** @type {string} */ sha,
) {
  const out = git(config, gitDir, [
    'diff-tree',
    '--root',
    '--no-commit-id',
    '--no-renames',
    '-r',
    '-z',
    '--name-status',
    sha,
  ]);
  /** @type {{ added: string[], modified: string[], removed: string[] }} */
  const files = { added: [], modified: [], removed: [] };
  const parts = out.split('\0').filter(Boolean);
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const [status, file] = [parts[i], parts[i + 1]];
    if (status.startsWith('A')) files.added.push(file);
    else if (status.startsWith('D')) files.removed.push(file);
    else files.modified.push(file);
  }
  return files;
}

/**
 * The commits a push brought, GitLab's way: the newest 20 in oldest-first order, and the count of
 * all. `range` is git's revision arguments (e.g. `old..new`, or `new --not <other refs>`).
 */
function commitsOf(
  /** @type {ServerConfig} */ config,
  /** @type {string} */ gitDir,
  /** @type {string[]} */ range,
) {
  const total = Number(
    git(config, gitDir, ['rev-list', '--count', ...range]).trim(),
  );
  const out = git(config, gitDir, [
    'log',
    `--max-count=${MAX_COMMITS}`,
    '--reverse',
    '--format=%H%x00%an%x00%ae%x00%aI%x00%B%x1e',
    ...range,
  ]);
  const name = repositoryName(gitDir);
  const commits = out
    .split('\x1e')
    .map(record => record.replace(/^\n/, ''))
    .filter(Boolean)
    .map(record => {
      const [id, authorName, authorEmail, timestamp, raw] = record.split('\0');
      const message = (raw ?? '').replace(/\s+$/, '');
      return {
        id,
        message,
        title: message.split('\n')[0],
        timestamp,
        url: `${config.url}/${name}/commit/${id}`,
        author: { name: authorName, email: authorEmail },
        ...changedFiles(config, gitDir, id),
      };
    });
  return { commits, total };
}

/**
 * The values every branch and tag had before this push (the refs now, with the pushed ones put
 * back as they were): what a new branch's commits are counted against, as GitLab does.
 */
function refValuesBefore(
  /** @type {ServerConfig} */ config,
  /** @type {string} */ gitDir,
  /** @type {RefUpdate[]} */ updates,
) {
  const pushed = new Set(updates.map(u => u.ref));
  const now = git(config, gitDir, [
    'for-each-ref',
    '--format=%(refname) %(objectname)',
    'refs/heads',
    'refs/tags',
  ])
    .split('\n')
    .map(line => line.split(' '))
    .filter(([name, value]) => name && value && !pushed.has(name))
    .map(([, value]) => value);
  const before = updates.map(u => u.before).filter(v => !ZERO.test(v));
  return [...new Set([...now, ...before])];
}

/**
 * One GitLab-shaped event per pushed branch or tag (other refs: none). Branch pushes are
 * `Push Hook` events listing the commits the push brought; tag pushes are `Tag Push Hook` events
 * with the tagged commit as `checkout_sha` and no commits, as GitLab sends them; a deletion has
 * `after` all zeros and `checkout_sha` null.
 *
 * @returns {PushEvent[]}
 */
function pushEvents(
  /** @type {ServerConfig} */ config,
  /** @type {string} */ gitDir,
  /** @type {RefUpdate[]} */ updates,
  /** @type {Pusher} */ pusher,
) {
  const { project: proj, repository } = project(config, gitDir);
  /** @type {string[] | undefined} */
  let existing;
  /** @type {PushEvent[]} */
  const events = [];
  for (const { before, after, ref } of updates) {
    const isTag = ref.startsWith('refs/tags/');
    if (!isTag && !ref.startsWith('refs/heads/')) continue;
    const deleted = ZERO.test(after);
    let checkoutSha = null;
    let message = null;
    /** @type {ReturnType<typeof commitsOf>} */
    let listed = { commits: [], total: 0 };
    if (!deleted) {
      checkoutSha = git(config, gitDir, [
        'rev-parse',
        `${after}^{commit}`,
      ]).trim();
      if (isTag) {
        const type = git(config, gitDir, ['cat-file', '-t', after]).trim();
        if (type === 'tag') {
          message = git(config, gitDir, [
            'for-each-ref',
            '--format=%(contents)',
            ref,
          ]).replace(/\s+$/, '');
        }
      } else {
        const range = ZERO.test(before)
          ? [
              after,
              '--not',
              ...(existing ??= refValuesBefore(config, gitDir, updates)),
            ]
          : [`${before}..${after}`];
        listed = commitsOf(config, gitDir, range);
      }
    }
    const kind = isTag ? 'tag_push' : 'push';
    events.push({
      event: isTag ? 'Tag Push Hook' : 'Push Hook',
      ref,
      body: {
        object_kind: kind,
        event_name: kind,
        before,
        after,
        ref,
        ref_protected: false,
        checkout_sha: checkoutSha,
        message,
        user_id: 1,
        user_name: pusher.name,
        user_username: pusher.name,
        user_email: pusher.email,
        user_avatar: null,
        project_id: proj.id,
        project: proj,
        commits: listed.commits,
        total_commits_count: listed.total,
        push_options: {},
        repository,
      },
    });
  }
  return events;
}

module.exports = { parseUpdates, pushEvents, MAX_COMMITS };
