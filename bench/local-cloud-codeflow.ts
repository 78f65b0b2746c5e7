/*
 * Benchmarks the local cloud's codeflow pieces (packages/local-cloud): the codeflow build images
 * (cold build into a temporary cache, warm reuse, push to an empty registry, push when present)
 * and the git server (push → GitLab-shaped webhook at a loopback receiver).
 *
 *   node -r @backstage/cli/config/nodeTransform.cjs bench/local-cloud-codeflow.ts [--cold] [--pushes N]
 *
 * --cold builds both images from nothing (mmdebstrap from the machine's Debian mirror, Node and
 * npm from the npm registry) into a temporary cache folder; without it the user's cache is used.
 * The pushes go to a registry of its own (Debian's docker-registry on a free loopback port, a
 * temporary storage folder); the git part uses the running local cloud's git server (`up` first).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { LocalCloud } from '../packages/local-cloud/src';
import {
  baseImages,
  ensureBaseImages,
  publishBaseImages,
} from '../packages/local-cloud/src/build/baseImages';
import { resolveSettings } from '../packages/local-cloud/src/settings';

const args = process.argv.slice(2);
const cold = args.includes('--cold');
const pushesIndex = args.indexOf('--pushes');
const pushes = pushesIndex >= 0 ? Number(args[pushesIndex + 1]) : 5;

const say = (line: string) =>
  process.stderr.write(
    `[bench ${new Date().toTimeString().slice(0, 8)}] ${line}\n`,
  );
const secondsSince = (start: number) => (Date.now() - start) / 1000;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

function freePort(): Promise<number> {
  return new Promise(resolve => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function withRegistry<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-registry-'));
  const port = await freePort();
  const config = path.join(dir, 'config.yml');
  fs.writeFileSync(
    config,
    `version: 0.1\nlog: { level: warn }\nstorage: { filesystem: { rootdirectory: ${dir}/data } }\nhttp: { addr: "127.0.0.1:${port}" }\n`,
  );
  const registry = spawn('docker-registry', ['serve', config], {
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (;;) {
      const ok = await fetch(`${url}/v2/`).then(
        r => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    return await fn(url);
  } finally {
    registry.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function images() {
  const cacheDir = cold
    ? fs.mkdtempSync(path.join(os.tmpdir(), 'bench-images-'))
    : undefined;
  const settings = resolveSettings(cacheDir ? { cacheDir } : {});
  fs.mkdirSync(settings.imagesDir, { recursive: true });
  try {
    let started = Date.now();
    const records = await ensureBaseImages(settings, line => say(line));
    const first = secondsSince(started);
    started = Date.now();
    await ensureBaseImages(settings, () => {});
    const warm = secondsSince(started);
    const [pushCold, pushWarm] = await withRegistry(async url => {
      let t = Date.now();
      await publishBaseImages(settings, url, line => say(line));
      const a = secondsSince(t);
      t = Date.now();
      await publishBaseImages(settings, url, () => {});
      return [a, secondsSince(t)];
    });
    for (const image of baseImages()) {
      const r = records[image.id];
      if (!r) continue;
      say(
        `${image.repository}:${image.tag}: build ${r.buildSeconds} s, ${mib(
          r.layerBytes,
        )} of compressed layers, archive ${mib(r.archiveBytes)}`,
      );
    }
    say(
      `${
        cold ? 'cold build of both' : 'ensureBaseImages (cached)'
      }: ${first.toFixed(1)} s; warm reuse: ${warm.toFixed(
        2,
      )} s; push to an empty registry: ${pushCold.toFixed(
        1,
      )} s; push when present: ${pushWarm.toFixed(2)} s`,
    );
  } finally {
    if (cacheDir) fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

async function git() {
  const cloud = new LocalCloud();
  cloud.info();
  const server = cloud.gitServer();
  const name = `bench-${process.pid}`;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-git-'));
  let waiting: (() => void) | undefined;
  const receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.end();
      waiting?.();
    });
  });
  await new Promise<void>(resolve => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${
    (receiver.address() as net.AddressInfo).port
  }/`;
  const run = (cwd: string, argv: string[]) => {
    const r = spawnSync('git', argv, {
      cwd,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        HOME: work,
        GIT_AUTHOR_NAME: 'bench',
        GIT_AUTHOR_EMAIL: 'bench@example.com',
        GIT_COMMITTER_NAME: 'bench',
        GIT_COMMITTER_EMAIL: 'bench@example.com',
      },
    });
    if (r.status !== 0) throw new Error(`git ${argv[0]}: ${r.stderr}`);
  };
  try {
    const repo = await server.createRepository(name);
    await server.addHook(name, url, 'bench');
    run(work, ['init', '--quiet', '--initial-branch=main', 'r']);
    const dir = path.join(work, 'r');
    const auth = `http.extraHeader=Authorization: ${server.authorization}`;
    const pushTimes: number[] = [];
    const hookTimes: number[] = [];
    for (let i = 0; i < pushes; i++) {
      run(dir, ['commit', '--quiet', '--allow-empty', '-m', `commit ${i}`]);
      const delivered = new Promise<void>(resolve => {
        waiting = resolve;
      });
      const started = Date.now();
      run(dir, ['-c', auth, 'push', '--quiet', repo.cloneUrl, 'main']);
      pushTimes.push(secondsSince(started));
      await delivered;
      hookTimes.push(secondsSince(started));
    }
    const p50 = (xs: number[]) =>
      [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    say(
      `git push (one commit) over HTTP: p50 ${p50(pushTimes).toFixed(
        3,
      )} s; push started → webhook received: p50 ${p50(hookTimes).toFixed(
        3,
      )} s (${pushes} pushes)`,
    );
  } finally {
    await server.deleteRepository(name);
    receiver.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

images()
  .then(git)
  .catch(error => {
    say(`failed: ${error.stack ?? error}`);
    process.exitCode = 1;
  });
