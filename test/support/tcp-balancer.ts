import net from 'node:net';

export interface TcpBalancer {
  url: string;
  /** Connections handed to each backend port so far. */
  served: Map<number, number>;
  /**
   * Keeps what the backends send on the connections open now instead of forwarding it, as a busy machine or
   * network does before the client reads again.
   */
  hold(): HeldTraffic;
  close(): Promise<void>;
}

export interface HeldTraffic {
  /** What the backends sent since, on all held connections. */
  kept(): Buffer;
  /** Hands each client what was kept for it in one write (so it arrives in one read), then the close after it. */
  release(): void;
}

/** A client's connection and the backend connection it is piped to. */
interface Relay {
  client: net.Socket;
  upstream: net.Socket;
  /** Bytes from the backend kept back while held; null while they flow. */
  kept: Buffer[] | null;
}

/**
 * A layer-4 load balancer on loopback, as in front of a set of server nodes: each new connection goes to the
 * next backend in turn, and to the one after when that one refuses (a node that stopped accepting).
 */
export async function startTcpBalancer(backendPorts: number[], host = '127.0.0.1'): Promise<TcpBalancer> {
  const served = new Map(backendPorts.map((port) => [port, 0]));
  const open = new Set<net.Socket>();
  const relays = new Set<Relay>();
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

  const relay = (client: net.Socket, upstream: net.Socket) => {
    const pair: Relay = {
      client,
      upstream,
      kept: null,
    };
    relays.add(pair);
    open.add(upstream);
    upstream.once('close', () => open.delete(upstream));
    upstream.on('error', () => upstream.destroy());
    // Either side closing closes the other, so a client sees a node's goodbye as its own connection ending.
    upstream.once('close', () => {
      if (!pair.kept) client.destroy();
    });
    client.once('close', () => {
      relays.delete(pair);
      upstream.destroy();
    });
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  };

  const server = net.createServer((client) => {
    open.add(client);
    client.pause();
    client.once('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    connectToBackend(0).then(
      (upstream) => relay(client, upstream),
      () => client.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://${host}:${port}`,
    served,
    hold() {
      const held = [...relays];
      const keepers = new Map<Relay, (chunk: Buffer) => void>();
      for (const pair of held) {
        const kept: Buffer[] = (pair.kept = []);
        const keep = (chunk: Buffer) => void kept.push(chunk);
        keepers.set(pair, keep);
        pair.upstream.unpipe(pair.client);
        // Unpiped, the stream pauses; a listener alone would not start it again.
        pair.upstream.on('data', keep).resume();
      }
      return {
        kept: () => Buffer.concat(held.flatMap((pair) => pair.kept ?? [])),
        release() {
          for (const pair of held) {
            const bytes = Buffer.concat(pair.kept ?? []);
            pair.kept = null;
            if (pair.upstream.destroyed) pair.client.end(bytes);
            else {
              pair.client.write(bytes);
              pair.upstream.off('data', keepers.get(pair)!);
              pair.upstream.pipe(pair.client);
            }
          }
        },
      };
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
