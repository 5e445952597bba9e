import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  describePasswordLink,
  setPasswordWithLink,
  createOwnAccount,
  type EndUserSessions,
} from '../../hub/admin-users.js';
import { answerSecondFactor, createSecondFactor } from '../../hub/admin-sign-in.js';
import { OIDC_CALLBACK_PATH, type SingleSignOn } from '../../hub/admin-sso.js';
import { PASSWORD_POLICY } from '../../hub/passwords.js';
import type { Sql } from '../../db/client.js';
import type { HubConfig } from '../../runtime/config.js';
import { HubError } from '../../workflows/errors.js';
import { ROLES } from '../../workflows/process-spec.js';
import { actorFor, type HubEnv } from '../../hub/context.js';
import { createRouter, ERROR_RESPONSES, hubRoute, jsonBody, jsonResponse } from './openapi.js';

const SessionUser = z.object({ id: z.string(), email: z.string(), name: z.string(), role: z.enum(ROLES) });
export const SignedInSchema = z
  .object({
    token: z.string(),
    expires_at: z.string(),
    user: SessionUser,
    second_factor_enrollment_required: z
      .boolean()
      .openapi({ description: 'Set up an authenticator before anything else' }),
  })
  .openapi('SignedIn');
export const ChallengeSchema = z
  .object({ second_factor_required: z.literal(true), challenge: z.string(), expires_at: z.string() })
  .openapi('SecondFactorChallenge');

const LinkToken = z.object({
  token: z
    .string()
    .min(20)
    .max(100)
    .regex(/^[\w-]+$/, 'a link token')
    .openapi({ param: { name: 'token', in: 'path' } }),
});
const code = z
  .string()
  .trim()
  .regex(/^\d{6}$/, 'six digits from the authenticator app');
const password = z.string().min(1).max(PASSWORD_POLICY.maxLength).openapi({ description: PASSWORD_POLICY.description });

/** Where links and the provider's redirect point: PUBLIC_URL, or the address the request came to. */
export function baseUrlOf(config: HubConfig, c: Context): string {
  return config.PUBLIC_URL ?? new URL(c.req.url).origin;
}

/** Public sign-in steps: the second factor, set-password links, and single sign-on. */
export function signInRoutes(sql: Sql, config: HubConfig, sso: SingleSignOn) {
  const redirectUri = (c: Context) => `${baseUrlOf(config, c)}${OIDC_CALLBACK_PATH}`;
  return createRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/auth/second-factor',
        tags: ['Auth'],
        summary: 'Second sign-in step: the challenge from /auth/login with a current code or a recovery code',
        request: {
          body: jsonBody(
            z
              .object({
                challenge: z.string().min(20).max(100),
                code: code.optional(),
                recovery_code: z.string().trim().min(6).max(40).optional(),
              })
              .strict()
              .refine((b) => Boolean(b.code) !== Boolean(b.recovery_code), {
                message: 'give either code or recovery_code',
                path: ['code'],
              }),
          ),
        },
        responses: {
          200: jsonResponse(SignedInSchema, 'Signed in'),
          400: ERROR_RESPONSES[400],
          401: ERROR_RESPONSES[401],
        },
      }),
      async (c) => c.json(await answerSecondFactor(sql, c.req.valid('json')), 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/auth/password-links/{token}',
        tags: ['Auth'],
        summary: 'Whom a set-password link is for, while it is valid (72 hours, once)',
        request: { params: LinkToken },
        responses: {
          200: jsonResponse(z.object({ email: z.string(), name: z.string(), policy: z.string() }), 'The link is valid'),
          400: ERROR_RESPONSES[400],
        },
      }),
      async (c) =>
        c.json(
          { ...(await describePasswordLink(sql, c.req.valid('param').token)), policy: PASSWORD_POLICY.description },
          200,
        ),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/auth/password-links/{token}',
        tags: ['Auth'],
        summary: 'Choose a password with a one-time link; signs in (or asks for the second factor)',
        request: { params: LinkToken, body: jsonBody(z.object({ password }).strict()) },
        responses: {
          200: jsonResponse(z.union([SignedInSchema, ChallengeSchema]), 'Password set'),
          400: ERROR_RESPONSES[400],
        },
      }),
      async (c) =>
        c.json(await setPasswordWithLink(sql, c.req.valid('param').token, c.req.valid('json').password), 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/auth/sso',
        tags: ['Auth'],
        summary: 'Whether single sign-on is offered, and under what name',
        responses: {
          200: jsonResponse(z.object({ enabled: z.boolean(), display_name: z.string() }), 'Single sign-on'),
        },
      }),
      (c) => c.json({ enabled: sso.enabled, display_name: sso.displayName }, 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/auth/oidc/start',
        tags: ['Auth'],
        summary: 'Starts single sign-on: redirects to the identity provider (authorization code flow with PKCE)',
        responses: {
          302: { description: 'To the identity provider' },
          404: ERROR_RESPONSES[404],
          503: ERROR_RESPONSES[503],
        },
      }),
      async (c) => c.redirect(await sso.start(redirectUri(c)), 302),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/auth/oidc/callback',
        tags: ['Auth'],
        summary: 'Where the identity provider sends the browser back; redirects to the board',
        responses: { 302: { description: 'To the board, which completes the sign-in or shows why it failed' } },
      }),
      async (c) => {
        const base = baseUrlOf(config, c);
        try {
          const handoff = await sso.finish(new URL(c.req.url), redirectUri(c));
          return c.redirect(`${base}/#/sso/${handoff}`, 302);
        } catch (error) {
          const message = error instanceof HubError ? error.message : 'Single sign-on did not complete; try again';
          return c.redirect(`${base}/#/sign-in?error=${encodeURIComponent(message)}`, 302);
        }
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/auth/oidc/complete',
        tags: ['Auth'],
        summary: 'The board trades the one-time hand-over code from the callback for a session',
        request: { body: jsonBody(z.object({ handoff: z.string().min(20).max(100) }).strict()) },
        responses: { 200: jsonResponse(SignedInSchema, 'Signed in'), 400: ERROR_RESPONSES[400] },
      }),
      async (c) => c.json(await sso.complete(c.req.valid('json').handoff), 200),
    );
}

/** What the signed-in person does to their own account: password, sessions, second factor. */
export function ownAccountRoutes(sql: Sql, endUserSessions: EndUserSessions) {
  const account = createOwnAccount({ sql, endUserSessions });
  const secondFactor = createSecondFactor(sql);
  const me = (c: Context<HubEnv>) => ({ ...actorFor(c.get('user'), c.get('channel')), email: c.get('user').email });
  const StatusSchema = z.object({ enabled: z.boolean(), required: z.boolean(), recovery_codes_left: z.number() });
  return createRouter()
    .openapi(
      hubRoute({
        method: 'post',
        path: '/auth/password',
        tags: ['Auth'],
        summary: 'Change your own password',
        request: {
          body: jsonBody(z.object({ current_password: z.string().min(1).max(200), new_password: password }).strict()),
        },
        responses: { 204: { description: 'Changed' } },
      }),
      async (c) => {
        await account.changePassword(me(c), c.req.valid('json'));
        return c.body(null, 204);
      },
    )
    .openapi(
      hubRoute({
        method: 'post',
        path: '/auth/sign-out-everywhere',
        tags: ['Auth'],
        summary: 'End every session you have, on every device, including this one',
        responses: { 204: { description: 'Signed out everywhere' } },
      }),
      async (c) => {
        await account.signOutEverywhere(me(c));
        return c.body(null, 204);
      },
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/auth/second-factor',
        tags: ['Auth'],
        summary: 'Your second factor: set up, required, recovery codes left',
        responses: { 200: jsonResponse(StatusSchema, 'Status') },
      }),
      async (c) => c.json(await secondFactor.status(me(c)), 200),
    )
    .openapi(
      hubRoute({
        method: 'post',
        path: '/auth/second-factor/enrol',
        tags: ['Auth'],
        summary: 'Start setting up an authenticator app (TOTP, RFC 6238): a secret and otpauth:// URI to scan',
        responses: {
          200: jsonResponse(z.object({ secret: z.string(), otpauth_uri: z.string() }), 'Scan this'),
        },
      }),
      async (c) => c.json(await secondFactor.begin(me(c)), 200),
    )
    .openapi(
      hubRoute({
        method: 'post',
        path: '/auth/second-factor/confirm',
        tags: ['Auth'],
        summary: 'Confirm the authenticator with a current code; answers ten one-time recovery codes, shown once',
        request: { body: jsonBody(z.object({ code }).strict()) },
        responses: {
          200: jsonResponse(z.object({ enabled: z.boolean(), recovery_codes: z.array(z.string()) }), 'Set up'),
        },
      }),
      async (c) => c.json(await secondFactor.confirm(me(c), c.req.valid('json').code), 200),
    )
    .openapi(
      hubRoute({
        method: 'post',
        path: '/auth/second-factor/remove',
        tags: ['Auth'],
        summary: 'Remove your authenticator (not while the firm requires one for your role)',
        request: { body: jsonBody(z.object({ code }).strict()) },
        responses: { 200: jsonResponse(z.object({ enabled: z.boolean() }), 'Removed') },
      }),
      async (c) => c.json(await secondFactor.remove(me(c), c.req.valid('json').code), 200),
    );
}
