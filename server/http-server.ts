import type { Server as HttpServer } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { PortInUseError } from '../runtime/ports.js';
import type { HubApp } from './app.js';

export interface RunningHttpServer {
  server: HttpServer;
  url: string;
  close(): Promise<void>;
}

/** Hono on node:http; Socket.IO attaches to the same server before it listens. */
export async function listen(
  app: HubApp,
  options: {
    host: string;
    port: number;
    publicUrl?: string;
    beforeListen?: (server: HttpServer) => void;
    onClose?: () => Promise<void>;
  },
): Promise<RunningHttpServer> {
  const server = createAdaptorServer({ fetch: app.fetch }) as HttpServer;
  options.beforeListen?.(server);
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
    async close() {
      await options.onClose?.();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
