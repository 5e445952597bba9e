import path from 'node:path';
import { expect } from 'vitest';
import { importScreeningFiles } from '../../workers/screening/screening-import.js';
import { expectOk } from './account-opening.js';
import { pdfFile, uploadDocument } from './document-files.js';
import { waitForNotice, type TestHub } from './hub.js';

/** A complete, low-risk profile of an individual; tests change the sections they are about. */
export const PROFILE = {
  identity: {
    legal_name: 'Ivan Petrov',
    date_of_birth_or_incorporation: '1971-03-12',
    nationality_or_incorporation_country: 'DE',
    politically_exposed: false,
  },
  contact: {
    email: 'ivan.petrov@client.example',
    phone: '+4930123456',
    address: { line1: 'Unter den Linden 1', city: 'Berlin', postal_code: '10117', country: 'DE' },
  },
  tax_residence: [{ country: 'DE', tax_id: '12345678901' }],
  employment: { status: 'employed', employer: 'Acme GmbH', occupation: 'Engineer' },
  source_of_wealth: { source: 'employment_income', net_worth_band: '250k_1m' },
  expected_activity: { annual_deposits_band: '50k_250k', transactions_per_month: 4, cross_border: false },
  investment_experience: { level: 'good', years: 10 },
};

export const PERSONAL_DOCUMENTS = ['identity_document', 'proof_of_address'] as const;

/** The example lists in examples/, imported as an operator would with `npm run screening:import`. */
export async function importExampleLists(hub: TestHub): Promise<void> {
  await importScreeningFiles(
    hub.sql,
    ['screening-sdn.csv', 'screening-pep.csv'].map((file) => path.resolve('examples', file)),
  );
}

/**
 * The advisor invites a new client; the client chooses a password with the invitation link and signs in.
 * Answers the onboarding id and the client's token.
 */
export async function inviteNewClient(
  hub: TestHub,
  advisorToken: string,
  client: { name: string; email: string; client_type?: string },
): Promise<{ onboardingId: string; clientId: string; clientToken: string }> {
  const invited = expectOk(
    await hub.api(advisorToken, 'POST', '/onboardings', { client: { client_type: 'individual', ...client } }),
    201,
  );
  expect(invited.onboarding.status).toBe('invited');
  const token = String(invited.invitation.link).split('/set-password/')[1];
  const signedIn = expectOk(
    await hub.api(null, 'POST', `/auth/password-links/${token}`, { password: 'a long client passphrase 2026' }),
  );
  return {
    onboardingId: invited.onboarding.onboarding_id,
    clientId: invited.onboarding.client_id,
    clientToken: signedIn.token,
  };
}

/** Uploads each kind to the onboarding as `uploaderToken`; answers the document ids by kind. */
export async function uploadDocuments(
  hub: TestHub,
  onboardingId: string,
  uploaderToken: string,
  kinds: readonly string[],
): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const kind of kinds) {
    const uploaded = await uploadDocument(hub, uploaderToken, `/processes/${onboardingId}`, {
      kind,
      title: kind.replace(/_/g, ' '),
      fileName: `${kind}.pdf`,
      bytes: pdfFile(kind),
    });
    expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(201);
    ids[kind] = uploaded.body.document_id;
  }
  return ids;
}

export async function acceptDocuments(hub: TestHub, reviewerToken: string, documentIds: readonly string[]) {
  for (const id of documentIds)
    expectOk(await hub.api(reviewerToken, 'POST', `/documents/${id}/versions/1/review`, { decision: 'accepted' }));
}

/** Waits until the onboarding's read model satisfies `check`; answers its record. */
export function waitForOnboarding(hub: TestHub, onboardingId: string, check: (detail: Record<string, any>) => boolean) {
  return waitForNotice(hub.sql, 'process_changed', async () => {
    const [row] = await hub.sql`SELECT detail FROM processes WHERE process_id = ${onboardingId}`;
    return row && check(row.detail) ? (row.detail as Record<string, any>) : undefined;
  });
}
