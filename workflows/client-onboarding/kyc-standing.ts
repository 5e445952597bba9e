/**
 * Where a client's KYC stands today, for the places clients are listed: `complete` only opens accounts while
 * its periodic review date is ahead; within the notice window (the kyc_review_notice_days setting) it is
 * `review_due`, and past it `expired`.
 */
export const KYC_STANDINGS = ['complete', 'review_due', 'expired', 'pending', 'incomplete'] as const;
export type KycStanding = (typeof KYC_STANDINGS)[number];

const DAY_MS = 86_400_000;

export function kycStanding(
  client: { kyc_status: string; kyc_expires_at: string | null },
  now: number,
  noticeDays: number,
): KycStanding {
  if (client.kyc_status !== 'complete') return client.kyc_status === 'pending' ? 'pending' : 'incomplete';
  if (!client.kyc_expires_at) return 'complete';
  const expires = Date.parse(client.kyc_expires_at);
  if (expires <= now) return 'expired';
  return expires <= now + noticeDays * DAY_MS ? 'review_due' : 'complete';
}
