import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const NGINX = '/usr/sbin/nginx';

/**
 * A free port on loopback.
 * @public
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}

/** A tiny backend on loopback that answers every request with its own name. */
export async function startNamedBackend(name: string) {
  const server: Server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(name);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stop: () => new Promise(resolve => server.close(resolve)),
  };
}

/**
 * A real nginx of its own in a temporary prefix, including `<prefix>/conf.d/*.conf`. Nothing
 * listens until a published domain asks for a (loopback) port.
 * @public
 */
export async function startScratchNginx() {
  const prefix = await mkdtemp(join(tmpdir(), 'nginx-serve-'));
  const confDir = join(prefix, 'conf.d');
  await mkdir(confDir);
  await mkdir(join(prefix, 'tmp'));
  const conf = join(prefix, 'nginx.conf');
  await writeFile(
    conf,
    [
      'pid nginx.pid;',
      'error_log error.log;',
      'worker_processes 1;',
      'events {}',
      'http {',
      '    client_body_temp_path tmp/client_body;',
      '    proxy_temp_path tmp/proxy;',
      '    fastcgi_temp_path tmp/fastcgi;',
      '    uwsgi_temp_path tmp/uwsgi;',
      '    scgi_temp_path tmp/scgi;',
      '    access_log off;',
      `    include ${confDir}/*.conf;`,
      '}',
      '',
    ].join('\n'),
  );
  const base = [
    NGINX,
    '-p',
    `${prefix}/`,
    '-c',
    conf,
    '-e',
    join(prefix, 'error.log'),
  ];
  await promisify(execFile)(base[0], base.slice(1));
  const reload = () =>
    promisify(execFile)(base[0], [...base.slice(1), '-s', 'reload']);
  return {
    prefix,
    confDir,
    reloadCommand: [...base, '-s', 'reload'],
    /**
     * A default server on `listen` (`port` or `address:port`) answering `status`, then a reload:
     * a host without a server block of its own gets this answer, not another domain's. Its file
     * is not one the nginx backend wrote, so a publish never removes it.
     */
    async defaultServer(listen: string, status: number) {
      await writeFile(
        join(confDir, '00-default-server.conf'),
        `server {\n    listen ${listen} default_server;\n    return ${status};\n}\n`,
      );
      await reload();
    },
    async stop() {
      await promisify(execFile)(base[0], [
        ...base.slice(1),
        '-s',
        'stop',
      ]).catch(() => undefined);
      // the stopping master may still write its logs: retry until the folder is gone
      await rm(prefix, {
        recursive: true,
        force: true,
        maxRetries: 10,
        retryDelay: 100,
      });
    },
  };
}

/**
 * Asks `url` until `accept` likes 10 answers in a row (old workers finish their connections
 * after a reload), for at most `ms`.
 */
export async function waitFor(
  url: string,
  accept: (body: string) => boolean,
  ms = 10_000,
  init?: RequestInit,
): Promise<void> {
  const deadline = Date.now() + ms;
  let last = '';
  let inARow = 0;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, init);
      last = await res.text();
      inARow = accept(last) ? inARow + 1 : 0;
      if (inARow >= 10) return;
      if (inARow > 0) continue;
    } catch (error) {
      last = String(error);
      inARow = 0;
    }
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered as expected; last answer: ${last}`);
}
