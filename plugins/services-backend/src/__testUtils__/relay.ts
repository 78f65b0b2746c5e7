import net from 'node:net';

/**
 * A loopback TCP relay in front of a backend replica, whose target is set once the replica
 * listens: the replica registers the relay's address as its own, and the test can cut it off as
 * a crash would (open connections drop, new ones are refused; no shutdown, no clean-up).
 */
export async function relay() {
  let target: number | undefined;
  const sockets = new Set<net.Socket>();
  const server = net.createServer(socket => {
    sockets.add(socket);
    if (!target) {
      socket.destroy();
      return;
    }
    const upstream = net.connect(target, '127.0.0.1');
    sockets.add(upstream);
    socket.pipe(upstream).pipe(socket);
    const close = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    to(backendPort: number) {
      target = backendPort;
    },
    /** the replica is gone, as in a crash: open connections drop, new ones are refused */
    async cut() {
      sockets.forEach(s => s.destroy());
      await new Promise(resolve => server.close(resolve));
    },
  };
}

export type Relay = Awaited<ReturnType<typeof relay>>;
