import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import type { Logger } from '../runtime/logger.js';
import { PortInUseError } from '../runtime/ports.js';
import { registerGauge } from '../runtime/metrics.js';
import { createInFlight, untilDeadline } from '../runtime/shutdown.js';
import type { HubApp } from './app.js';

export interface RunningHttpServer {
  server: HttpServer;
  url: string;
  /**
   * Stops accepting connections and lets the requests in flight finish until `deadline` (epoch ms), each
   * answer closing its connection so that keep-alive clients reconnect to another node; then closes the rest.
   */
  close(deadline?: number): Promise<void>;
}

/** Hono on node:http; Socket.IO attaches to the same server before it listens. */
export async function listen(
  app: HubApp,
  options: {
    host: string;
    port: number;
    log: Logger;
    publicUrl?: string;
    beforeListen?: (server: HttpServer) => void;
    /** Runs once the server stopped accepting, before the last connections close (the gateway drains here). */
    onClose?: (deadline: number) => Promise<void>;
  },
): Promise<RunningHttpServer> {
  const server = createAdaptorServer({ fetch: app.fetch }) as HttpServer;
  options.beforeListen?.(server);
  // Prepended after Socket.IO attached (it takes over the request listeners), so it sees every request first.
  const requests = createInFlight();
  const unanswered = new Set<ServerResponse>();
  let draining = false;
  registerGauge('ops_hub_http_requests_in_flight', 'HTTP requests this server is answering now', [], () => [
    { labels: {}, value: requests.count },
  ]);
  server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => {
    const end = requests.begin();
    unanswered.add(response);
    if (draining) response.setHeader('connection', 'close');
    response.once('close', () => {
      unanswered.delete(response);
      end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new PortInUseError(
              `port ${options.port} on ${options.host} is already in use (PORT); stop what uses it or set PORT`,
            )
          : error,
      ),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    server,
    url: options.publicUrl ?? `http://${options.host}:${port}`,
    async close(deadline = Date.now()) {
      draining = true;
      for (const response of unanswered) if (!response.headersSent) response.setHeader('connection', 'close');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await options.onClose?.(deadline);
      if (requests.count > 0) {
        options.log.info({ requests: requests.count }, 'waiting for requests in flight');
        await untilDeadline(requests.idle(), deadline, undefined);
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
