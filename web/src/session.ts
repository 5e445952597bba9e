import type { RealtimeUser } from '../../contracts/socket-events.js';

/** The signed-in person, for this browser tab only. */
export interface Session {
  token: string;
  expires_at: string;
  user: RealtimeUser & { email: string };
}

const KEY = 'ops-hub.session';

export function loadSession(): Session | null {
  try {
    const session = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    return session && Date.parse(session.expires_at) > Date.now() ? session : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}
