/** The Socket.IO contract between the hub and the board; web/ imports these types. */

export interface RealtimeUser {
  id: string;
  name: string;
  role: string;
}

export interface ServerToClientEvents {
  'hub:welcome': (welcome: { user: RealtimeUser; server_time: string }) => void;
}

// eslint-free placeholder interfaces are filled by the gateway's features.
export type ClientToServerEvents = Record<string, never>;

export interface SocketData {
  user: RealtimeUser;
}
