import net from 'node:net';

/**
 * A loopback TCP relay to `target` that can be cut (every connection dropped, new ones refused)
 * and restored on the same port: to the portal, a cluster whose network failed, while the
 * cluster itself, and the other tests using it, run on.
 */
export function relay(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = net.createServer(client => {
        const upstream = net.connect(target.port, target.host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  return {
    listen,
    get port() {
      return port;
    },
    cut: () =>
      new Promise<void>(resolve => {
        for (const s of sockets) s.destroy();
        sockets.clear();
        if (server) server.close(() => resolve());
        else resolve();
        server = undefined;
      }),
  };
}

/** A Deployment of one service for the local cloud's kwok nodes, with requests. */
export function serviceDeployment(options: {
  namespace: string;
  name: string;
  replicas: number;
}) {
  const { namespace, name } = options;
  const labels = { app: name, 'backstage.io/kubernetes-id': name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'app',
              image: `registry.example.com/${name}:1.0.0`,
              resources: { requests: { cpu: '50m', memory: '32Mi' } },
            },
          ],
        },
      },
    },
  };
}
