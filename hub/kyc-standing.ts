import type { Queryable } from '../db/client.js';
import { getSetting } from '../db/settings.js';
import { kycStanding, type KycStanding } from '../workflows/client-onboarding/kyc-standing.js';

/** Clients as listed, each with where its KYC stands today by the firm's review notice. */
export async function withKycStanding<T extends { kyc_status: string; kyc_expires_at: string | null }>(
  db: Queryable,
  clients: T[],
): Promise<(T & { kyc_standing: KycStanding })[]> {
  const noticeDays = await getSetting<number>(db, 'kyc_review_notice_days', 60);
  const now = Date.now();
  return clients.map((client) => ({ ...client, kyc_standing: kycStanding(client, now, noticeDays) }));
}
