import { h } from './dom.js';

/** A client as listed, with where their KYC stands (the hub works it out by the firm's review notice). */
interface ClientKyc {
  kyc_standing: 'complete' | 'review_due' | 'expired' | 'pending' | 'incomplete';
  kyc_expires_at: string | null;
}

const day = (at: string | null) => (at ? at.slice(0, 10) : '');

/** What a person should know of a client's KYC before acting for them; nothing while it is current. */
export function kycNote(client: ClientKyc): string | null {
  switch (client.kyc_standing) {
    case 'expired':
      return `KYC expired ${day(client.kyc_expires_at)}`;
    case 'review_due':
      return `KYC review due ${day(client.kyc_expires_at)}`;
    case 'pending':
      return 'KYC pending';
    case 'incomplete':
      return 'KYC incomplete';
    default:
      return null;
  }
}

/** The same, as a marked label for tables: expired in the danger tone, due in the warning tone. */
export function kycBadge(client: ClientKyc): HTMLElement {
  const tone = { expired: 'danger', review_due: 'warning' }[client.kyc_standing as string] ?? 'muted';
  const text =
    client.kyc_standing === 'complete'
      ? `Complete${client.kyc_expires_at ? ` until ${day(client.kyc_expires_at)}` : ''}`
      : kycNote(client)!;
  return h('span', { class: `kyc-standing tone-${tone}`, 'data-kyc-standing': client.kyc_standing }, text);
}
