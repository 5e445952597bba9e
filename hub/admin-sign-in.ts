import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import type { Queryable, Sql } from '../db/client.js';
import { getSetting } from '../db/settings.js';
import {
  claimTotpStep,
  consumeUserToken,
  countRecoveryCodes,
  createSession,
  failUserToken,
  getTotp,
  issueUserToken,
  replaceRecoveryCodes,
  setTotp,
  useRecoveryCode,
  type HubUser,
} from '../db/users.js';
import { HubError } from '../workflows/errors.js';
import type { Role } from '../workflows/process-spec.js';
import type { Actor } from '../workflows/process-records.js';
import { auditChange, auditedWork } from './admin-access.js';

/** Roles the firm's second-factor setting applies to. */
export const SECOND_FACTOR_ROLES: readonly Role[] = ['admin', 'compliance_officer'];
const CHALLENGE_MINUTES = 5;
const TOTP_PERIOD = 30;
const RECOVERY_CODE_COUNT = 10;
const ISSUER = 'Ops hub';

export type SignInResult =
  | { token: string; expires_at: string; user: HubUser; second_factor_enrollment_required: boolean }
  | { second_factor_required: true; challenge: string; expires_at: string };

/** RFC 6238 with the parameters every authenticator app assumes: SHA-1, 6 digits, 30 seconds. */
const totpFor = (secret: string, label = '') =>
  new TOTP({ issuer: ISSUER, label, period: TOTP_PERIOD, secret: Secret.fromBase32(secret) });

export async function secondFactorRequired(db: Queryable, role: Role): Promise<boolean> {
  return SECOND_FACTOR_ROLES.includes(role) && (await getSetting(db, 'second_factor_required', false)) === true;
}

/** Whether a password session must enrol a second factor before it may do anything else. */
export async function mustEnrolSecondFactor(db: Queryable, user: HubUser): Promise<boolean> {
  return (await secondFactorRequired(db, user.role)) && !(await getTotp(db, user.id)).enabled;
}

/** After a correct password: a session, or a challenge to answer with a code when the user has a second factor. */
export async function finishPasswordSignIn(sql: Sql, user: HubUser): Promise<SignInResult> {
  if ((await getTotp(sql, user.id)).enabled) {
    const challenge = await issueUserToken(sql, user.id, 'second_factor', CHALLENGE_MINUTES, null);
    return { second_factor_required: true, challenge: challenge.token, expires_at: challenge.expires_at };
  }
  const session = await createSession(sql, user.id, 'password');
  return { ...session, user, second_factor_enrollment_required: await mustEnrolSecondFactor(sql, user) };
}

/** The second step: a current code from the authenticator, or one unused recovery code. */
/** A wrong code or recovery code five times ends the challenge: the person starts again with their password. */
const CHALLENGE_ATTEMPTS = 5;

/** Whether the code is current for the secret and of a time step not used before; claims the step. */
async function acceptCode(db: Queryable, userId: string, secret: string, code: string): Promise<boolean> {
  const delta = totpFor(secret).validate({ token: code, window: 1 });
  if (delta === null) return false;
  return claimTotpStep(db, userId, Math.floor(Date.now() / 1000 / TOTP_PERIOD) + delta);
}

/** The second step: a current code from the authenticator, or one unused recovery code. */
export async function answerSecondFactor(
  sql: Sql,
  input: { challenge: string; code?: string; recovery_code?: string },
) {
  const wrong = new HubError(
    'SECOND_FACTOR_REQUIRED',
    input.code ? 'code: is not the current code' : 'recovery_code: is not a valid code',
    { field: input.code ? 'code' : 'recovery_code' },
  );
  try {
    return await sql.begin(async (tx) => {
      const user = await consumeUserToken(tx, input.challenge, 'second_factor');
      if (!user) throw new HubError('LINK_INVALID', 'The sign-in has expired; enter your e-mail and password again');
      const { secret } = await getTotp(tx, user.id);
      const actor: Actor = { user_id: user.id, role: user.role, name: user.name, channel: 'board' };
      let ok = false;
      if (input.code && secret) ok = await acceptCode(tx, user.id, secret, input.code);
      else if (input.recovery_code) ok = await useRecoveryCode(tx, user.id, normalizeRecoveryCode(input.recovery_code));
      // Throwing rolls the challenge back to unused; the wrong answer is counted below.
      if (!ok) throw wrong;
      if (input.recovery_code)
        await auditChange(tx, actor, 'use_recovery_code', { type: 'user', id: user.id }, null, null);
      const session = await createSession(tx, user.id, 'password');
      return { ...session, user, second_factor_enrollment_required: false };
    });
  } catch (error) {
    if (error === wrong) await failUserToken(sql, input.challenge, CHALLENGE_ATTEMPTS);
    throw error;
  }
}

const normalizeRecoveryCode = (code: string) => code.trim().toLowerCase().replace(/[\s-]/g, '');
const newRecoveryCode = () => randomBytes(5).toString('hex');

/** Enrolment and removal of the signed-in person's own authenticator. */
export function createSecondFactor(sql: Sql) {
  const self = (actor: Actor) => ({ type: 'user' as const, id: actor.user_id });
  return {
    async status(actor: Actor) {
      const totp = await getTotp(sql, actor.user_id);
      return {
        enabled: totp.enabled,
        required: await secondFactorRequired(sql, actor.role as Role),
        recovery_codes_left: await countRecoveryCodes(sql, actor.user_id),
      };
    },

    /** A new secret to scan; it takes effect once a code from it is confirmed. */
    async begin(actor: Actor & { email: string }) {
      return auditedWork(sql, actor, 'enrol_second_factor', self(actor), async () => {
        if ((await getTotp(sql, actor.user_id)).enabled)
          throw new HubError('CONFLICT', 'A second factor is already set up; remove it first');
        const secret = new Secret({ size: 20 }).base32;
        await setTotp(sql, actor.user_id, secret, false);
        return { secret, otpauth_uri: totpFor(secret, actor.email).toString() };
      });
    },

    /** Confirms the authenticator with a current code; answers the recovery codes, shown this once. */
    async confirm(actor: Actor, code: string) {
      return auditedWork(sql, actor, 'enrol_second_factor', self(actor), () =>
        sql.begin(async (tx) => {
          const { secret, enabled } = await getTotp(tx, actor.user_id);
          if (!secret || enabled) throw new HubError('CONFLICT', 'Start the set-up first');
          await setTotp(tx, actor.user_id, secret, true);
          // The confirming code is used up like any other (a wrong one rolls the set-up back).
          if (!(await acceptCode(tx, actor.user_id, secret, code))) {
            throw new HubError('VALIDATION_FAILED', 'code: is not the current code of this authenticator', {
              field: 'code',
            });
          }
          const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
          await replaceRecoveryCodes(tx, actor.user_id, codes);
          await auditChange(tx, actor, 'enrol_second_factor', self(actor), { enabled: false }, { enabled: true });
          return { enabled: true, recovery_codes: codes };
        }),
      );
    },

    async remove(actor: Actor, code: string) {
      return auditedWork(sql, actor, 'remove_second_factor', self(actor), () =>
        sql.begin(async (tx) => {
          const { secret, enabled } = await getTotp(tx, actor.user_id);
          if (!secret || !enabled) throw new HubError('CONFLICT', 'No second factor is set up');
          if (await secondFactorRequired(tx, actor.role as Role)) {
            throw new HubError('FORBIDDEN', 'Your role must keep a second factor (a firm setting)');
          }
          if (!(await acceptCode(tx, actor.user_id, secret, code))) {
            throw new HubError('VALIDATION_FAILED', 'code: is not the current code of this authenticator', {
              field: 'code',
            });
          }
          await setTotp(tx, actor.user_id, null, false);
          await replaceRecoveryCodes(tx, actor.user_id, []);
          await auditChange(tx, actor, 'remove_second_factor', self(actor), { enabled: true }, { enabled: false });
          return { enabled: false };
        }),
      );
    },
  };
}
