import { loadSession } from './session.js';

/** The hub's error, as every endpoint renders it: `{"error":{"code","message"}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let onUnauthenticated: () => void = () => {};
/** Where a 401 sends the person: back to sign-in. */
export function whenUnauthenticated(handler: () => void): void {
  onUnauthenticated = handler;
}

/** A JSON request to the API as the signed-in person, marked as coming from the board. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const token = loadSession()?.token;
  let response: Response;
  try {
    response = await fetch(path.startsWith('/api/') ? path : `/api${path}`, {
      method,
      headers: {
        'x-hub-channel': 'board',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'OFFLINE', 'The hub cannot be reached; check the connection and try again');
  }
  const payload = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  if (response.ok) return payload as T;
  const error = new ApiError(response.status, payload.error?.code ?? 'ERROR', payload.error?.message ?? `The hub answered ${response.status}`);
  if (response.status === 401 && path !== '/auth/login') onUnauthenticated();
  throw error;
}

/** Fills `{id}` in an endpoint path the hub described. */
export const endpoint = (template: string, id: string) => template.replace('{id}', encodeURIComponent(id));
