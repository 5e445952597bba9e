import net from 'node:net';

export interface TcpBalancer {
  url: string;
  /** Connections handed to each backend port so far. */
  served: Map<number, number>;
  close(): Promise<void>;
}

/**
 * A layer-4 load balancer on loopback, as in front of a set of server nodes: each new connection goes to the
 * next backend in turn, and to the one after when that one refuses (a node that stopped accepting).
 */
export async function startTcpBalancer(backendPorts: number[], host = '127.0.0.1'): Promise<TcpBalancer> {
  const served = new Map(backendPorts.map((port) => [port, 0]));
  const open = new Set<net.Socket>();
  let next = 0;

  const connectToBackend = (attempt: number): Promise<net.Socket> =>
    new Promise((resolve, reject) => {
      if (attempt >= backendPorts.length) return reject(new Error('no backend accepts connections'));
      const port = backendPorts[next++ % backendPorts.length];
      const upstream = net.connect({ port, host });
      upstream.once('connect', () => {
        served.set(port, (served.get(port) ?? 0) + 1);
        resolve(upstream);
      });
      upstream.once('error', () => connectToBackend(attempt + 1).then(resolve, reject));
    });

  const server = net.createServer((client) => {
    open.add(client);
    client.pause();
    client.once('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    connectToBackend(0).then(
      (upstream) => {
        open.add(upstream);
        upstream.once('close', () => open.delete(upstream));
        upstream.on('error', () => upstream.destroy());
        // Either side closing closes the other, so a client sees a node's goodbye as its own connection ending.
        upstream.once('close', () => client.destroy());
        client.once('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      },
      () => client.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://${host}:${port}`,
    served,
    close: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
