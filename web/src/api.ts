import { loadSession } from './session.js';

/** The hub's error, as every endpoint renders it: `{"error":{"code","message"}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The request field the error is about, when the API names one. */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Sign-in steps answer 401 for a wrong password or code: that is not a session ending. */
const PUBLIC_PATHS = /^\/auth\/(login|second-factor$|password-links|oidc)/;

let onUnauthenticated: () => void = () => {};
/** Where a 401 sends the person: back to sign-in. */
export function whenUnauthenticated(handler: () => void): void {
  onUnauthenticated = handler;
}

/** A file from the API (a CSV export), saved by the browser under `filename`. */
export async function download(path: string, filename: string): Promise<void> {
  const token = loadSession()?.token;
  const response = await fetch(`/api${path}`, {
    headers: { 'x-hub-channel': 'board', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  }).catch(() => {
    throw new ApiError(0, 'OFFLINE', 'The hub cannot be reached; check the connection and try again');
  });
  if (!response.ok) {
    const payload = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    throw new ApiError(response.status, payload.error?.code ?? 'ERROR', payload.error?.message ?? 'Download failed');
  }
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement('a'), { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
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
  if (response.status === 204) return undefined as T;
  const payload = (await response.json().catch(() => ({}))) as {
    error?: { code?: string; message?: string; details?: { field?: unknown } };
  };
  if (response.ok) return payload as T;
  const field = typeof payload.error?.details?.field === 'string' ? payload.error.details.field : undefined;
  const error = new ApiError(
    response.status,
    payload.error?.code ?? 'ERROR',
    payload.error?.message ?? `The hub answered ${response.status}`,
    field,
  );
  if (response.status === 401 && !PUBLIC_PATHS.test(path)) onUnauthenticated();
  throw error;
}

/** Fills `{id}` in an endpoint path the hub described. */
export const endpoint = (template: string, id: string) => template.replace('{id}', encodeURIComponent(id));
