import http from 'node:http';
import { AddressInfo } from 'node:net';
import { redactUrl } from '../redact';
import { PrometheusClient } from './PrometheusClient';

const RANGE = { start: 0, end: 60, step: 15 };

async function listen(handler: http.RequestListener) {
  const server = http.createServer(handler);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

describe('PrometheusClient errors', () => {
  it('show the URL without its user name, password or query when Prometheus refuses', async () => {
    const seen: Array<{ url?: string; authorization?: string }> = [];
    const prometheus = await listen((req, res) => {
      seen.push({ url: req.url, authorization: req.headers.authorization });
      res.statusCode = 503;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ status: 'error', error: 'overloaded' }));
    });
    try {
      const client = new PrometheusClient({
        url: `http://metrics:s3cret-pass@127.0.0.1:${prometheus.port}/prom?token=s3cret-token`,
        clusterLabel: 'cluster',
      });
      const error = await client.queryRange('up', RANGE).catch(e => e);
      expect(error.message).toBe(
        `Prometheus at http://***@127.0.0.1:${prometheus.port}/prom?*** answered 503: overloaded`,
      );
      // the credentials went as basic auth, the query and path as configured
      expect(seen).toEqual([
        {
          url: '/prom/api/v1/query_range?token=s3cret-token',
          authorization: `Basic ${Buffer.from('metrics:s3cret-pass').toString(
            'base64',
          )}`,
        },
      ]);
    } finally {
      await prometheus.close();
    }
  });

  it('show the URL without its credentials when Prometheus cannot be reached', async () => {
    const closed = await listen(() => {});
    await closed.close();
    const client = new PrometheusClient({
      url: `http://metrics:s3cret-pass@127.0.0.1:${closed.port}`,
      clusterLabel: 'cluster',
    });
    const error = await client.queryRange('up', RANGE).catch(e => e);
    expect(error.message).toBe(
      `Prometheus at http://***@127.0.0.1:${closed.port} could not be reached (ECONNREFUSED)`,
    );
    expect(error.message).not.toContain('s3cret');
  });
});

describe('redactUrl', () => {
  it.each([
    ['http://prometheus:9090', 'http://prometheus:9090'],
    ['https://u:p@host/x?a=1', 'https://***@host/x?***'],
    ['https://onlyuser@host', 'https://***@host'],
    ['https://u:p@ss@host:9090/x#frag', 'https://***@host:9090/x'],
    ['http://host/path#a?b', 'http://host/path'],
    ['not a url with s3cret', '<no URL>'],
  ])('%s → %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});
