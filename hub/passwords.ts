import { createRequire } from 'node:module';
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt is memory-hard (N·r·128 bytes: 16 MiB here) and built into Node, so no native module is needed. */
const PARAMS = { N: 2 ** 14, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

// Mozilla's list of the most common passwords (fxa-common-password-list), shipped with the package.
const commonPasswords = createRequire(import.meta.url)('fxa-common-password-list') as {
  test(password: string): boolean;
};

function derive(password: string, salt: Buffer, params: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...params, maxmem: 64 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The password policy, as the README documents it. */
export const PASSWORD_POLICY = {
  minLength: 12,
  maxLength: 200,
  description:
    'At least 12 characters (a passphrase works well), not containing your e-mail address or its name part, ' +
    'and not one of the well-known passwords in the shipped list of common passwords.',
} as const;

/** Why a password breaks the policy, in words for its owner; undefined when it is acceptable. */
export function passwordProblem(password: string, email: string): string | undefined {
  const normalized = password.normalize('NFKC');
  if ([...normalized].length < PASSWORD_POLICY.minLength)
    return `must be at least ${PASSWORD_POLICY.minLength} characters`;
  if (normalized.length > PASSWORD_POLICY.maxLength) return `must be at most ${PASSWORD_POLICY.maxLength} characters`;
  const lower = normalized.toLowerCase();
  const address = email.trim().toLowerCase();
  const localPart = address.split('@')[0] ?? '';
  if (lower.includes(address) || (localPart.length >= 4 && lower.includes(localPart)))
    return 'must not contain your e-mail address';
  if (commonPasswords.test(normalized) || commonPasswords.test(lower))
    return 'is a well-known password; choose another';
  return undefined;
}
