import type { MiddlewareHandler } from 'hono';
import type { Sql } from '../db/client.js';
import { sessionForToken, userForToken, type HubUser, type Session } from '../db/users.js';
import { HubError } from '../workflows/errors.js';
import type { Channel } from '../workflows/process-records.js';
import type { HubEnv } from '../hub/context.js';

export function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

/** The same token authenticates HTTP requests and Socket.IO connections. */
export async function authenticate(sql: Sql, token: string | undefined): Promise<HubUser> {
  return (await authenticateSession(sql, token)).user;
}

export async function authenticateSession(sql: Sql, token: string | undefined): Promise<Session> {
  if (!token) throw new HubError('UNAUTHENTICATED');
  const session = await sessionForToken(sql, token);
  if (!session) throw new HubError('UNAUTHENTICATED', 'The token is unknown or expired; sign in again');
  return session;
}

/** Who a request's token belongs to, or undefined: for auditing a refusal that came before authentication. */
export async function signedInUser(sql: Sql, header: string | undefined): Promise<HubUser | undefined> {
  const token = bearerToken(header);
  return token ? userForToken(sql, token).catch(() => undefined) : undefined;
}

/** The board says so in a header; everything else over HTTP is the API channel. */
export function channelOf(header: string | undefined): Channel {
  return header === 'board' ? 'board' : 'api';
}

export function requireUser(sql: Sql): MiddlewareHandler<HubEnv> {
  return async (c, next) => {
    c.set('user', await authenticate(sql, bearerToken(c.req.header('authorization'))));
    c.set('channel', channelOf(c.req.header('x-hub-channel')));
    await next();
  };
}
