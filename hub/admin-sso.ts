import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import type { Sql } from '../db/client.js';
import { getSetting } from '../db/settings.js';
import {
  consumeUserToken,
  createSession,
  findAnyUserByEmail,
  findUserBySubject,
  insertUser,
  issueUserToken,
  linkSubject,
  saveOidcLogin,
  takeOidcLogin,
  type HubUser,
} from '../db/users.js';
import type { HubConfig } from '../runtime/config.js';
import type { Logger } from '../runtime/logger.js';
import { HubError } from '../workflows/errors.js';
import { ROLES, type Role } from '../workflows/process-spec.js';
import type { Actor } from '../workflows/process-records.js';
import { auditChange, refuse } from './admin-access.js';

/** The board trades this for a session right after the provider sends the person back. */
const HANDOFF_MINUTES = 2;
export const OIDC_CALLBACK_PATH = '/api/auth/oidc/callback';

/** "hub-admins=admin,hub-advisors=advisor" as ordered pairs: the first value the person holds names their role. */
export function parseRoleMap(text: string | undefined): [string, Role][] {
  if (!text) return [];
  return text.split(',').map((pair) => {
    const [value, role] = pair.split('=').map((part) => part.trim());
    if (!ROLES.includes(role as Role)) throw new Error(`OIDC_ROLE_MAP: unknown role ${role}`);
    return [value!, role as Role];
  });
}

export function roleFromClaims(
  claims: Record<string, unknown>,
  claim: string,
  map: [string, Role][],
): Role | undefined {
  const raw = claims[claim];
  const held = new Set((Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[\s,]+/) : []).map(String));
  return map.find(([value]) => held.has(value))?.[1];
}

/**
 * Sign-in through the firm's identity provider: the authorization code flow with PKCE (openid-client, a
 * certified relying party). Matched by subject, then by verified e-mail; created on first sign-in only when
 * the firm's setting allows it, with the role the claim mapping gives.
 */
export function createSingleSignOn(deps: { sql: Sql; config: HubConfig; log: Logger }) {
  const { sql, config, log } = deps;
  const enabled = Boolean(config.OIDC_ISSUER && config.OIDC_CLIENT_ID && config.OIDC_CLIENT_SECRET);
  const roleMap = parseRoleMap(config.OIDC_ROLE_MAP);
  let discovered: Promise<oidc.Configuration> | undefined;

  function provider(): Promise<oidc.Configuration> {
    if (!enabled) throw new HubError('SSO_NOT_CONFIGURED');
    const issuer = new URL(config.OIDC_ISSUER!);
    discovered ??= oidc
      .discovery(issuer, config.OIDC_CLIENT_ID!, config.OIDC_CLIENT_SECRET!, undefined, {
        // Plain HTTP only for a provider on this machine (development and tests).
        execute: issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
      })
      .catch((error: unknown) => {
        discovered = undefined;
        log.error({ err: error, issuer: config.OIDC_ISSUER }, 'OpenID provider discovery failed');
        throw new HubError('SERVICE_UNAVAILABLE', 'The identity provider cannot be reached; try again shortly');
      });
    return discovered;
  }

  const system = (name: string): Actor => ({ user_id: 'system', role: 'system', name, channel: 'board' });
  const ssoRefusal = async (message: string, details: Record<string, unknown>) =>
    refuse(
      sql,
      system('single sign-on'),
      'sso_sign_in',
      { type: 'user', id: null },
      new HubError('SSO_FAILED', message),
      details,
    );

  async function matchUser(claims: Record<string, unknown>): Promise<HubUser> {
    const subject = `${config.OIDC_ISSUER}#${String(claims.sub)}`;
    const bySubject = await findUserBySubject(sql, subject);
    if (bySubject) {
      if (!bySubject.active) return ssoRefusal('Your hub account is deactivated', { user_id: bySubject.id });
      return bySubject;
    }
    const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
    if (!email || claims.email_verified !== true) {
      return ssoRefusal('The identity provider did not give a verified e-mail address', { subject });
    }
    const byEmail = await findAnyUserByEmail(sql, email);
    if (byEmail) {
      if (!byEmail.active) return ssoRefusal('Your hub account is deactivated', { user_id: byEmail.id });
      if (byEmail.oidc_subject && byEmail.oidc_subject !== subject) {
        return ssoRefusal('This e-mail is linked to another identity', { user_id: byEmail.id });
      }
      await linkSubject(sql, byEmail.id, subject);
      await auditChange(sql, system('single sign-on'), 'link_sso_identity', { type: 'user', id: byEmail.id }, null, {
        subject,
      });
      return byEmail;
    }
    if ((await getSetting(sql, 'oidc_create_users', false)) !== true) {
      return ssoRefusal('You have no hub account yet: ask an administrator to invite you', { email });
    }
    const role = roleFromClaims(claims, config.OIDC_ROLE_CLAIM, roleMap);
    if (!role) return ssoRefusal(`Your ${config.OIDC_ROLE_CLAIM} at the identity provider give no hub role`, { email });
    const name = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim() : email;
    const user: HubUser = { id: `usr_${randomBytes(8).toString('hex')}`, email, name, role };
    await sql.begin(async (tx) => {
      await insertUser(tx, { ...user, oidc_subject: subject });
      await auditChange(
        tx,
        system('single sign-on'),
        'create_user_from_sso',
        { type: 'user', id: user.id },
        null,
        user,
      );
    });
    return user;
  }

  return {
    enabled,
    displayName: config.OIDC_DISPLAY_NAME,

    /** Where to send the browser: the provider's authorization endpoint with a fresh state, nonce and PKCE challenge. */
    async start(redirectUri: string): Promise<string> {
      const configuration = await provider();
      const login = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        code_verifier: oidc.randomPKCECodeVerifier(),
      };
      await saveOidcLogin(sql, login);
      return oidc
        .buildAuthorizationUrl(configuration, {
          redirect_uri: redirectUri,
          scope: config.OIDC_SCOPES,
          state: login.state,
          nonce: login.nonce,
          code_challenge: await oidc.calculatePKCECodeChallenge(login.code_verifier),
          code_challenge_method: 'S256',
        })
        .toString();
    },

    /** The provider's redirect back: exchanges the code, matches the person, and answers a one-time hand-over code. */
    async finish(callbackUrl: URL, redirectUri: string): Promise<string> {
      const configuration = await provider();
      const state = callbackUrl.searchParams.get('state') ?? '';
      if (callbackUrl.searchParams.get('error')) {
        return ssoRefusal(
          `The identity provider refused: ${callbackUrl.searchParams.get('error_description') ?? callbackUrl.searchParams.get('error')}`,
          {},
        );
      }
      const login = await takeOidcLogin(sql, state);
      if (!login) return ssoRefusal('This sign-in has expired or was already used; start again', {});
      // The redirect URI the provider saw, whatever host the request came in on.
      const current = new URL(redirectUri);
      current.search = callbackUrl.search;
      let claims: Record<string, unknown>;
      try {
        const tokens = await oidc.authorizationCodeGrant(configuration, current, {
          pkceCodeVerifier: login.code_verifier,
          expectedState: state,
          expectedNonce: login.nonce,
        });
        claims = { ...(tokens.claims() ?? {}) };
        if (!(config.OIDC_ROLE_CLAIM in claims) || claims.email === undefined) {
          claims = { ...(await oidc.fetchUserInfo(configuration, tokens.access_token, String(claims.sub))), ...claims };
        }
      } catch (error) {
        log.warn({ err: error }, 'OpenID code exchange failed');
        return ssoRefusal('The identity provider did not confirm the sign-in', {});
      }
      const user = await matchUser(claims);
      return (await issueUserToken(sql, user.id, 'oidc_handoff', HANDOFF_MINUTES, null)).token;
    },

    /** The board's last step: the hand-over code for a session. */
    async complete(handoff: string) {
      const user = await consumeUserToken(sql, handoff, 'oidc_handoff');
      if (!user) throw new HubError('LINK_INVALID', 'This sign-in has expired or was already used; start again');
      await auditChange(
        sql,
        { user_id: user.id, role: user.role, name: user.name, channel: 'board' },
        'sso_sign_in',
        { type: 'user', id: user.id },
        null,
        null,
      );
      // The provider's own factors stand for the second factor.
      return { ...(await createSession(sql, user.id, 'sso')), user, second_factor_enrollment_required: false };
    },
  };
}

export type SingleSignOn = ReturnType<typeof createSingleSignOn>;
