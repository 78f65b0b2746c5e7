import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reloadPrometheus, writeRuleFile } from './Delivery';

/**
 * Prometheus' reload endpoint as a loopback server that takes its time, counting the reloads
 * (the coalescing is ours; Prometheus' own reload is exercised by rules.integration.test.ts).
 */
async function slowReloadServer() {
  let reloads = 0;
  let release: () => void = () => {};
  const server = http.createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/-/reload') {
      reloads++;
      new Promise<void>(resolve => {
        release = resolve;
      }).then(() => res.end());
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    target: { name: 'p', url: `http://127.0.0.1:${port}`, clusters: [] },
    reloads: () => reloads,
    release: () => release(),
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

describe('reloadPrometheus', () => {
  it('serves the changes that come during a reload with one more reload', async () => {
    const server = await slowReloadServer();
    try {
      const first = reloadPrometheus(server.target);
      await new Promise(r => setTimeout(r, 100));
      const burst = [1, 2, 3, 4, 5].map(() => reloadPrometheus(server.target));
      expect(server.reloads()).toBe(1);
      server.release();
      await first;
      await new Promise(r => setTimeout(r, 100));
      // the burst waits for a reload that started after each of them asked
      expect(server.reloads()).toBe(2);
      server.release();
      await Promise.all(burst);
      expect(server.reloads()).toBe(2);
      // and later changes get a reload of their own
      const later = reloadPrometheus(server.target);
      await new Promise(r => setTimeout(r, 100));
      expect(server.reloads()).toBe(3);
      server.release();
      await later;
    } finally {
      await server.close();
    }
  });
});

describe('writeRuleFile', () => {
  it('replaces the file whole and leaves no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rules-write-'));
    try {
      await writeRuleFile(dir, 'a.yml', 'one');
      await writeRuleFile(dir, 'a.yml', 'two');
      expect(await readFile(join(dir, 'a.yml'), 'utf8')).toBe('two');
      expect(await readdir(dir)).toEqual(['a.yml']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
