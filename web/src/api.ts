import createClient from 'openapi-fetch';
import type { paths } from './api-schema.js';
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

type ErrorPayload = { error?: { code?: string; message?: string; details?: { field?: unknown } } } | undefined;

const OFFLINE = () => new ApiError(0, 'OFFLINE', 'The hub cannot be reached; check the connection and try again');

/** The hub's refusal as an ApiError; a 401 outside sign-in sends the person back to it. */
function refusal(status: number, payload: ErrorPayload, path: string): ApiError {
  const field = typeof payload?.error?.details?.field === 'string' ? payload.error.details.field : undefined;
  const error = new ApiError(
    status,
    payload?.error?.code ?? 'ERROR',
    payload?.error?.message ?? `The hub answered ${status}`,
    field,
  );
  if (status === 401 && !PUBLIC_PATHS.test(path.replace(/^\/api/, ''))) onUnauthenticated();
  return error;
}

/** A file from the API (a CSV export), saved by the browser under `filename`. */
export async function download(path: string, filename: string): Promise<void> {
  const response = await fetch(`/api${path}`, { headers: boardHeaders() }).catch(() => {
    throw OFFLINE();
  });
  if (!response.ok) throw refusal(response.status, await response.json().catch(() => undefined), path);
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement('a'), { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Every request as the signed-in person, marked as coming from the board. */
function boardHeaders(): Record<string, string> {
  const token = loadSession()?.token;
  return { 'x-hub-channel': 'board', ...(token ? { authorization: `Bearer ${token}` } : {}) };
}

/**
 * The hub's API typed from its OpenAPI document (api-schema.ts, generated): paths, parameters, bodies and
 * answers, so a field the server renames fails the board's typecheck. Use it through `answerOf`.
 */
export const hub = createClient<paths>({ fetch: (request) => fetch(withBoardHeaders(request)) });

function withBoardHeaders(request: Request): Request {
  for (const [name, value] of Object.entries(boardHeaders())) request.headers.set(name, value);
  return request;
}

/** The answer of a typed call, or the hub's error thrown as an ApiError. */
export async function answerOf<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: Awaited<typeof call>;
  try {
    result = await call;
  } catch {
    throw OFFLINE();
  }
  if (result.response.ok) return result.data as T;
  throw refusal(
    result.response.status,
    result.error as ErrorPayload,
    new URL(result.response.url, 'http://hub.invalid').pathname,
  );
}

/** A JSON request to the API as the signed-in person, for a path built at run time (from a process type's links). */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path.startsWith('/api/') ? path : `/api${path}`, {
      method,
      headers: { ...boardHeaders(), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw OFFLINE();
  }
  if (response.status === 204) return undefined as T;
  const payload = (await response.json().catch(() => ({}))) as ErrorPayload;
  if (response.ok) return payload as T;
  throw refusal(response.status, payload, path);
}

/** Fills `{id}` in an endpoint path the hub described. */
export const endpoint = (template: string, id: string) => template.replace('{id}', encodeURIComponent(id));
