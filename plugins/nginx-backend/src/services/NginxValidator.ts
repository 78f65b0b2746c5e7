import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, mkdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where `nginx -t` found a problem. */
export interface NginxCheckFailure {
  ok: false;
  /** nginx's own message, with the scratch directory removed */
  message: string;
  /** the conf.d file and line nginx pointed at, if it did */
  file?: string;
  line?: number;
}

export type NginxCheckResult = { ok: true } | NginxCheckFailure;

// the whole world `nginx -t` sees: this file and the cluster's conf.d, nothing else
const MAIN_CONF = `pid nginx.pid;
error_log error.log;
events {}
http {
    client_body_temp_path tmp/client_body;
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;
    access_log off;
    include conf.d/*.conf;
}
`;

const FILE_NAME = /^[a-z0-9-]+\.conf$/;

/**
 * One scratch prefix per process for checks of a single file (the edit path): made once, so a
 * check writes two small files and runs nginx, nothing more. Removed when the process exits.
 */
let singleFilePrefix: Promise<string> | undefined;
function scratchPrefix(): Promise<string> {
  singleFilePrefix ??= (async () => {
    const prefix = await mkdtemp(join(tmpdir(), 'nginx-check-one-'));
    await mkdir(join(prefix, 'conf.d'));
    await mkdir(join(prefix, 'tmp'));
    process.once('exit', () =>
      rmSync(prefix, { recursive: true, force: true }),
    );
    return prefix;
  })();
  return singleFilePrefix;
}

/**
 * Checks a cluster's configuration with the real `nginx -t`, in a scratch prefix that holds
 * only a minimal main file and the files under test: no secrets, no other configuration.
 */
export class NginxValidator {
  constructor(
    private readonly binary: string = '/usr/sbin/nginx',
    private readonly timeoutMs: number = 60_000,
  ) {}

  /** `files`: conf.d file name → text. */
  async check(files: Record<string, string>): Promise<NginxCheckResult> {
    const prefix = await mkdtemp(join(tmpdir(), 'nginx-check-'));
    try {
      await mkdir(join(prefix, 'conf.d'));
      await mkdir(join(prefix, 'tmp'));
      await writeFile(join(prefix, 'nginx.conf'), MAIN_CONF);
      for (const [name, text] of Object.entries(files)) {
        if (!FILE_NAME.test(name)) {
          throw new Error(`refusing to write conf.d file '${name}'`);
        }
        await writeFile(join(prefix, 'conf.d', name), text);
      }
      const output = await this.run(prefix, join(prefix, 'nginx.conf'));
      if (output.code === 0) return { ok: true };
      return parseFailure(output.text, prefix);
    } finally {
      await rm(prefix, { recursive: true, force: true });
    }
  }

  /**
   * Checks one conf.d file alone, with the same http-level settings as `check`: what an edit of
   * one domain costs, whatever the size of its cluster. Failures read as `check`'s would for the
   * same file (`in conf.d/<name>:<line>`).
   */
  async checkAlone(name: string, text: string): Promise<NginxCheckResult> {
    if (!FILE_NAME.test(name)) {
      throw new Error(`refusing to write conf.d file '${name}'`);
    }
    const prefix = await scratchPrefix();
    const id = `${process.pid}-${randomBytes(8).toString('hex')}`;
    const file = join(prefix, 'conf.d', `${id}.conf`);
    const main = join(prefix, `${id}.main`);
    try {
      await writeFile(file, text);
      await writeFile(
        main,
        MAIN_CONF.replace(
          'include conf.d/*.conf;',
          `include conf.d/${id}.conf;`,
        ),
      );
      const output = await this.run(prefix, main);
      if (output.code === 0) return { ok: true };
      return parseFailure(
        output.text.split(`conf.d/${id}.conf`).join(`conf.d/${name}`),
        prefix,
      );
    } finally {
      await Promise.all([
        unlink(file).catch(() => undefined),
        unlink(main).catch(() => undefined),
      ]);
    }
  }

  private run(
    prefix: string,
    conf: string,
  ): Promise<{ code: number; text: string }> {
    return new Promise(resolve => {
      execFile(
        this.binary,
        [
          '-t',
          '-q',
          '-p',
          `${prefix}/`,
          '-c',
          conf,
          '-e',
          join(prefix, 'error.log'),
        ],
        // an empty environment: nothing of the backend's leaks into the check
        { env: {}, timeout: this.timeoutMs, cwd: prefix },
        (error, stdout, stderr) => {
          let code = 0;
          if (error) code = typeof error.code === 'number' ? error.code : 1;
          const text =
            `${stderr}${stdout}`.trim() || String(error?.message ?? '');
          resolve({ code, text });
        },
      );
    });
  }
}

function parseFailure(text: string, prefix: string): NginxCheckFailure {
  const lines = text
    .split('\n')
    .filter(line => !/test failed|syntax is ok/.test(line));
  const first =
    lines.find(line => /\[(emerg|alert|crit|error)\]/.test(line)) ??
    lines[0] ??
    text;
  const message = first
    .split(`${prefix}/`)
    .join('')
    .split(prefix)
    .join('')
    .replace(/^nginx: /, '');
  const at = /in conf\.d\/([^:\s]+):(\d+)/.exec(message);
  return at
    ? { ok: false, message, file: at[1], line: Number(at[2]) }
    : { ok: false, message };
}
