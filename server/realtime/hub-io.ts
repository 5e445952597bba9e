import type { Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, SocketData } from '../../contracts/socket-events.js';

/** The gateway's Socket.IO server, typed by the board's contract; the modules that push to rooms take it. */
export type HubIo = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
