import { createRoute, z } from '@hono/zod-openapi';
import type { Sql } from '../../db/client.js';
import { findUserByEmail } from '../../db/users.js';
import { finishPasswordSignIn } from '../../hub/admin-sign-in.js';
import { endSessions } from '../../hub/sessions.js';
import { HubError } from '../../workflows/errors.js';
import { ROLES } from '../../workflows/process-spec.js';
import { bearerToken } from '../auth.js';
import { LoginThrottle } from '../login-throttle.js';
import { hashPassword, verifyPassword } from '../../hub/passwords.js';
import { ChallengeSchema, SignedInSchema } from './admin-sign-in.js';
import { createRouter, ERROR_RESPONSES, errorContent, jsonBody, jsonResponse, SECURITY } from './openapi.js';

const UserSchema = z
  .object({ id: z.string(), email: z.string(), name: z.string(), role: z.enum(ROLES) })
  .openapi('User');

// A login for an unknown e-mail still pays for one hash, so timing does not reveal who has an account.
const decoyHash = hashPassword('decoy password for unknown users');

/** Sign-in is public; the rest of this router is mounted behind authentication. */
export function loginRoutes(sql: Sql) {
  const throttle = new LoginThrottle(sql);
  return createRouter().openapi(
    createRoute({
      method: 'post',
      path: '/auth/login',
      tags: ['Auth'],
      summary: 'Sign in with e-mail and password; returns a bearer token',
      request: {
        body: jsonBody(
          z.object({ email: z.string().trim().min(3).max(200), password: z.string().min(1).max(200) }).strict(),
        ),
      },
      responses: {
        200: jsonResponse(z.union([SignedInSchema, ChallengeSchema]), 'Signed in, or a second factor is asked for'),
        401: ERROR_RESPONSES[401],
        400: ERROR_RESPONSES[400],
        429: errorContent('Too many failed attempts for this e-mail; wait a minute'),
      },
    }),
    async (c) => {
      const { email, password } = c.req.valid('json');
      await throttle.check(email);
      const user = await findUserByEmail(sql, email);
      // Someone with no password yet (invited, or single sign-on only) pays for the decoy like an unknown e-mail.
      const stored = user?.password_hash ?? (await decoyHash);
      const ok = (await verifyPassword(password, stored)) && Boolean(user?.password_hash);
      if (!user || !ok) {
        await throttle.fail(email);
        throw new HubError('UNAUTHENTICATED', 'Wrong e-mail or password');
      }
      await throttle.succeed(email);
      return c.json(
        await finishPasswordSignIn(sql, { id: user.id, email: user.email, name: user.name, role: user.role }),
        200,
      );
    },
  );
}

export function sessionRoutes(sql: Sql) {
  return createRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/me',
        tags: ['Auth'],
        summary: 'The signed-in user',
        security: SECURITY,
        responses: { 200: jsonResponse(UserSchema, 'The user behind the token'), 401: ERROR_RESPONSES[401] },
      }),
      (c) => c.json(c.get('user'), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/auth/logout',
        tags: ['Auth'],
        summary: 'End this session: its token stops working and its sockets are disconnected on every node',
        security: SECURITY,
        responses: { 204: { description: 'Signed out' }, 401: ERROR_RESPONSES[401] },
      }),
      async (c) => {
        await endSessions(sql, { token: bearerToken(c.req.header('authorization'))! });
        return c.body(null, 204);
      },
    );
}
