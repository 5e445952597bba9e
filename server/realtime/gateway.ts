import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { authenticate } from '../auth.js';
import type { HubDeps } from '../context.js';
import { registerComplianceNotes } from './compliance-notes.js';
import type { ClientToServerEvents, ServerToClientEvents, SocketData } from './events.js';
import { registerQueryThreads } from './query-threads.js';

export type HubIo = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** Socket.IO on the API's own HTTP server; a socket authenticates with the same bearer token as the API. */
export function attachRealtime(httpServer: HttpServer, deps: Pick<HubDeps, 'sql' | 'log'>): HubIo {
  const io: HubIo = new Server(httpServer, { serveClient: false });
  io.use(async (socket, next) => {
    try {
      const token = typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : undefined;
      const user = await authenticate(deps.sql, token);
      socket.data.user = { id: user.id, name: user.name, role: user.role };
      next();
    } catch {
      next(Object.assign(new Error('UNAUTHENTICATED'), { data: { code: 'UNAUTHENTICATED', message: 'Sign in first: a valid token is required' } }));
    }
  });
  registerQueryThreads(io, deps);
  registerComplianceNotes(io, deps);
  io.on('connection', (socket) => {
    socket.emit('hub:welcome', { user: socket.data.user, server_time: new Date().toISOString() });
  });
  return io;
}
