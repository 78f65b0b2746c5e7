import net from 'node:net';

/** Where a relay forwards to: a port on loopback, or a host and port. @public */
export type RelayTarget = number | { host: string; port: number };

/**
 * A loopback TCP relay that a test cuts to make something unreachable, as a network failure or a
 * crash would: every open connection drops and new ones are refused, while the thing behind it
 * runs on. `listen()` opens it (again after a cut, on the same port: the way back).
 *
 * - a cluster cut off from the portal: `relay({ host, port })` of its apiserver, and the portal's
 *   cluster config points at `127.0.0.1:<relay.port>`;
 * - a backend replica that crashes: `relay()` opened before the replica starts (the replica
 *   registers `relay.url` as its own address), then `relay.to(replicaPort)` once it listens.
 *   Until a target is set, connections are refused.
 * @public
 */
export function relay(target?: RelayTarget) {
  let to: { host: string; port: number } | undefined;
  const setTarget = (t: RelayTarget) => {
    to = typeof t === 'number' ? { host: '127.0.0.1', port: t } : t;
  };
  if (target !== undefined) setTarget(target);

  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;

  const connection = (client: net.Socket) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    if (!to) {
      client.destroy();
      return;
    }
    const upstream = net.connect(to.port, to.host);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream).pipe(client);
  };

  const self: Relay = {
    /** opens the relay (first on a free port, after a cut on the same one); resolves to it */
    listen: () =>
      new Promise<Relay>((resolve, reject) => {
        const s = net.createServer(connection);
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => {
          server = s;
          port = (s.address() as net.AddressInfo).port;
          resolve(self);
        });
      }),
    /** the relay's port on 127.0.0.1 (0 before the first `listen()`) */
    get port() {
      return port;
    },
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    /** sets (or changes) where new connections go */
    to(next: RelayTarget) {
      setTarget(next);
    },
    /** refuses new connections and drops every open one */
    cut: () =>
      new Promise<void>(resolve => {
        for (const s of sockets) s.destroy();
        sockets.clear();
        const s = server;
        server = undefined;
        if (s) s.close(() => resolve());
        else resolve();
      }),
  };
  return self;
}

/** A relay made by {@link relay}. @public */
export type Relay = {
  listen(): Promise<Relay>;
  readonly port: number;
  readonly url: string;
  to(target: RelayTarget): void;
  cut(): Promise<void>;
};
