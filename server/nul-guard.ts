import type { MiddlewareHandler } from 'hono';
import { HubError } from '../workflows/errors.js';

const NUL = '\u0000';

/** The path of the first string (or key) in a parsed JSON value that holds a real NUL character. */
export function nulPathIn(value: unknown, path: string[] = []): string[] | undefined {
  if (typeof value === 'string') return value.includes(NUL) ? path : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = nulPathIn(item, [...path, String(index)]);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes(NUL)) return [...path, key];
      const found = nulPathIn(item, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Where a request carries a NUL: `{ field, place }`, e.g. `{ field: 'note', place: 'body' }`. */
export async function findNul(request: {
  url: string;
  headers: Headers;
  /** Only asked for JSON: touching a streamed upload's body would consume it. */
  hasBody(): boolean;
  text(): Promise<string>;
}): Promise<{ field: string; place: string } | undefined> {
  const url = new URL(request.url);
  if (decoded(url.pathname).includes(NUL)) return { field: 'path', place: 'path' };
  for (const [name, value] of url.searchParams)
    if (name.includes(NUL) || value.includes(NUL)) return { field: name.replaceAll(NUL, ''), place: 'query' };
  for (const [name, value] of request.headers) if (value.includes(NUL)) return { field: name, place: 'headers' };
  // Only JSON is text the hub stores; other bodies (a document's bytes) are not looked into.
  if (!request.headers.get('content-type')?.includes('json') || !request.hasBody()) return undefined;
  const text = await request.text();
  if (!text.includes(NUL) && !text.includes('\\u0000')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Malformed: the route's own parsing refuses it, unless a raw NUL is there.
    return text.includes(NUL) ? { field: 'body', place: 'body' } : undefined;
  }
  const path = nulPathIn(parsed);
  return path ? { field: path.length ? path.join('.') : 'body', place: 'body' } : undefined;
}

/**
 * PostgreSQL text cannot hold NUL, so a real NUL anywhere in a request is refused before anything acts on
 * it, naming the parameter. The six characters `\u0000` written out in a JSON string are ordinary text.
 */
export const refuseNul: MiddlewareHandler = async (c, next) => {
  const found = await findNul({
    url: c.req.url,
    headers: c.req.raw.headers,
    hasBody: () => c.req.raw.body !== null,
    text: () => c.req.text(),
  });
  if (found) {
    throw new HubError('VALIDATION_FAILED', `${found.field}: may not contain a NUL character`, {
      field: found.field,
      in: found.place,
    });
  }
  await next();
};
