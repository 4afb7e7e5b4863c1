import net from 'node:net';

/**
 * Network faults for dependency tests, made with real sockets: a server that accepts connections
 * and never answers (a hung database or bucket), a port nothing listens on (refused), and a proxy
 * in front of a real server that can be cut (refused, existing connections reset) or frozen
 * (accepts, forwards nothing either way) while the test runs.
 */

async function listen(server: net.Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as net.AddressInfo).port;
}

/** Accepts every connection and never sends a byte. */
export async function startHangingServer() {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  const port = await listen(server);
  return {
    port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port that was free a moment ago and has nothing listening: connections are refused. */
export async function refusedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export type ProxyMode = 'forward' | 'refuse' | 'hang';

/** A TCP proxy to `target` whose behaviour the test switches. */
export async function startFaultProxy(target: { host: string; port: number }) {
  let mode: ProxyMode = 'forward';
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket | null }>();
  const server = net.createServer((client) => {
    client.on('error', () => {});
    const pair: { client: net.Socket; upstream: net.Socket | null } = { client, upstream: null };
    pairs.add(pair);
    client.on('close', () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
    });
    if (mode !== 'forward') return; // hang: accepted, never answered
    const upstream = net.connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    client.on('data', (chunk) => {
      if (mode === 'forward') upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (mode === 'forward') client.write(chunk);
    });
  });
  const port = await listen(server);
  let listening = true;

  return {
    port,
    get mode() {
      return mode;
    },
    /** Switches behaviour: `refuse` stops listening and resets every open connection. */
    async set(next: ProxyMode) {
      mode = next;
      if (next === 'refuse') {
        for (const { client, upstream } of pairs) {
          client.resetAndDestroy();
          upstream?.destroy();
        }
        if (listening) {
          listening = false;
          await new Promise<void>((resolve) => server.close(() => resolve()));
        }
      } else if (!listening) {
        await listen(server, port);
        listening = true;
      }
    },
    async close() {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream?.destroy();
      }
      if (listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
