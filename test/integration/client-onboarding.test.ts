import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventTypesOf, expectError, expectOk, loginAll, type Login } from '../support/account-opening.js';
import { keepHistory } from '../support/histories.js';
import { startTestHub, waitForStatus, type TestHub } from '../support/hub.js';
import {
  acceptDocuments,
  importExampleLists,
  inviteNewClient,
  PERSONAL_DOCUMENTS,
  PROFILE,
  uploadDocuments,
  waitForOnboarding,
} from '../support/onboarding.js';
import {
  KYC_REVIEW_WORKFLOW_TYPE,
  onboardingWorkflowId,
  type KycReviewResult,
} from '../../workflows/client-onboarding/definitions.js';

describe('client onboarding: invitation, profile, documents, screening, compliance, KYC', () => {
  let hub: TestHub;
  let tokens: Record<Login, string>;
  beforeAll(async () => {
    hub = await startTestHub();
    tokens = await loginAll(hub);
    await importExampleLists(hub);
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const command = (token: string, id: string, path: string, body?: object) =>
    hub.api(token, 'POST', `/onboardings/${id}/${path}`, body);

  it('takes a new client from invitation to complete KYC: a screening hit cleared by two officers, then an account', async () => {
    const { onboardingId, clientId, clientToken } = await inviteNewClient(hub, tokens.alex, {
      name: 'Ivan Petrov',
      email: 'ivan.petrov@client.example',
    });

    // The client sees their own onboarding; another client does not.
    expect(expectOk(await hub.api(clientToken, 'GET', `/onboardings/${onboardingId}`)).allowed_actions).toEqual([
      'save_profile',
      'submit_profile',
    ]);
    expectError(await hub.api(tokens.chris, 'GET', `/onboardings/${onboardingId}`), 403, 'FORBIDDEN');

    // Each section is checked as it is saved, naming the field that is wrong.
    const badPhone = await command(clientToken, onboardingId, 'profile', {
      contact: { ...PROFILE.contact, phone: '555-0100' },
    });
    expectError(badPhone, 400, 'VALIDATION_FAILED');
    expect(badPhone.body.error.message).toContain('contact.phone');
    const saved = expectOk(await command(clientToken, onboardingId, 'profile', { identity: PROFILE.identity }));
    expect(saved.status).toBe('profile');
    const incomplete = await command(clientToken, onboardingId, 'submit-profile', { contact: PROFILE.contact });
    expectError(incomplete, 400, 'PROFILE_INCOMPLETE');
    expect(incomplete.body.error.message).toContain('tax_residence');
    const submitted = expectOk(await command(clientToken, onboardingId, 'submit-profile', PROFILE));
    expect(submitted.status).toBe('documents');

    // An individual needs an identity document and a proof of address before screening starts.
    const missing = await command(clientToken, onboardingId, 'submit-documents', {});
    expectError(missing, 400, 'DOCUMENTS_MISSING');
    expect(missing.body.error.details).toEqual({ required_document: 'identity_document' });
    const documents = await uploadDocuments(hub, onboardingId, clientToken, PERSONAL_DOCUMENTS);
    expect(expectOk(await command(clientToken, onboardingId, 'submit-documents', {})).status).toBe('screening');

    // "Ivan Petrov" is on the SDN list as "PETROV, Ivan Sergeyevich": a hit for compliance to decide.
    const screened = await waitForOnboarding(hub, onboardingId, (d) => d.screening !== null);
    expect(screened.status).toBe('screening');
    expect(screened.screening.hits).toEqual([
      expect.objectContaining({
        list: 'sanctions',
        entry_id: '9647',
        listed_name: 'PETROV, Ivan Sergeyevich',
        status: 'open',
      }),
    ]);
    const hitId = screened.screening.hits[0].hit_id;

    // The client may not decide it; one officer's clearance is not enough, nor may they clear it twice.
    expectError(
      await command(clientToken, onboardingId, 'clear-hit', { hit_id: hitId, reason: 'me' }),
      403,
      'FORBIDDEN',
    );
    expectError(await command(tokens.carla, onboardingId, 'clear-hit', { hit_id: hitId }), 400, 'VALIDATION_FAILED');
    const first = expectOk(
      await command(tokens.carla, onboardingId, 'clear-hit', {
        hit_id: hitId,
        reason: 'Listed person born 1971 in Moscow; our client is a German national with another patronymic',
      }),
    );
    expect(first.status).toBe('screening');
    expect(first.screening.hits[0].clearances).toHaveLength(1);
    expectError(
      await command(tokens.carla, onboardingId, 'clear-hit', { hit_id: hitId, reason: 'again' }),
      403,
      'SECOND_OFFICER_REQUIRED',
    );
    const second = expectOk(
      await command(tokens.colin, onboardingId, 'clear-hit', { hit_id: hitId, reason: 'Passport number differs' }),
    );
    expect(second.status).toBe('compliance_review');
    expect(second.screening.hits[0].status).toBe('cleared');
    expect(second.risk).toMatchObject({ rating: 'low', score: 0 });
    expect(second.risk.factors.map((f: { factor: string }) => f.factor)).toEqual([
      'jurisdiction',
      'pep',
      'source_of_wealth',
      'expected_activity',
    ]);
    const inReview = await waitForOnboarding(hub, onboardingId, (d) => d.review_started_at !== null);
    expect(inReview.assigned_officer_id).not.toBeNull();
    const [{ sla }] = await hub.sql`SELECT sla FROM processes WHERE process_id = ${onboardingId}`;
    expect(sla).toMatchObject({ state: 'compliance_review', target: { unit: 'business_days', amount: 3 } });

    // Still no account: KYC is pending until compliance approves, and approval needs the documents accepted.
    expectError(
      await hub.api(tokens.alex, 'POST', '/applications', { client_id: clientId, account_type: 'individual' }),
      400,
      'ONBOARDING_INCOMPLETE',
    );
    expectError(await command(tokens.carla, onboardingId, 'approve', {}), 400, 'COMPLIANCE_REVIEW_REQUIRED');
    expectError(await command(tokens.alex, onboardingId, 'approve', {}), 403, 'FORBIDDEN');
    await acceptDocuments(hub, tokens.helen, Object.values(documents));
    const approved = expectOk(await command(tokens.carla, onboardingId, 'approve', { notes: 'Standard risk' }));
    expect(approved.status).toBe('approved');

    // KYC is complete for three years (a low-risk client), and accounts may now be opened.
    const done = await waitForOnboarding(hub, onboardingId, (d) => d.kyc_expires_at !== null);
    const [client] =
      await hub.sql`SELECT kyc_status, kyc_expires_at, kyc_risk_rating FROM clients WHERE id = ${clientId}`;
    expect(client).toMatchObject({ kyc_status: 'complete', kyc_risk_rating: 'low' });
    expect(new Date(client.kyc_expires_at).toISOString()).toBe(done.kyc_expires_at);
    const years = (Date.parse(done.kyc_expires_at) - Date.parse(done.decided_at)) / (365.25 * 86_400_000);
    expect(Math.round(years)).toBe(3);
    expect(await eventTypesOf(hub, onboardingId)).toEqual(
      expect.arrayContaining([
        'onboarding.invited',
        'onboarding.profile_submitted',
        'onboarding.documents_submitted',
        'onboarding.screened',
        'onboarding.screening_hit_cleared',
        'onboarding.review_started',
        'onboarding.approved',
        'onboarding.kyc_completed',
      ]),
    );
    const application = expectOk(
      await hub.api(clientToken, 'POST', '/applications', { client_id: clientId, account_type: 'individual' }),
      201,
    );
    expect(application.status).toBe('draft');
    await keepHistory(hub, onboardingWorkflowId(onboardingId), 'client-onboarding--hit-cleared-approved');
  });

  it('answers a retried invitation with the same onboarding and client, creating nothing twice', async () => {
    const body = { client: { name: 'Nora Lind', email: 'nora.lind@client.example', client_type: 'individual' } };
    const key = { 'idempotency-key': 'invite-nora-1' };
    const first = expectOk(await hub.api(tokens.alex, 'POST', '/onboardings', body, key), 201);
    const again = expectOk(await hub.api(tokens.alex, 'POST', '/onboardings', body, key), 201);
    expect(again.onboarding.onboarding_id).toBe(first.onboarding.onboarding_id);
    expect(again.onboarding.client_id).toBe(first.onboarding.client_id);
    const [{ clients }] =
      await hub.sql`SELECT count(*)::int AS clients FROM clients WHERE email = 'nora.lind@client.example'`;
    const [{ users }] =
      await hub.sql`SELECT count(*)::int AS users FROM users WHERE email = 'nora.lind@client.example'`;
    expect({ clients, users }).toEqual({ clients: 1, users: 1 });
    // Without the key, the same e-mail is refused: it has an account now.
    expectError(await hub.api(tokens.alex, 'POST', '/onboardings', body), 409, 'EMAIL_TAKEN');
  });

  it('rates a politically exposed client high: enhanced due diligence evidence and two different approvers', async () => {
    const { onboardingId, clientToken } = await inviteNewClient(hub, tokens.beth, {
      name: 'Sofia Brandt',
      email: 'sofia.brandt@client.example',
    });
    const profile = {
      ...PROFILE,
      identity: { ...PROFILE.identity, legal_name: 'Sofia Brandt', politically_exposed: true },
      source_of_wealth: { source: 'inheritance', net_worth_band: '1m_5m' },
    };
    expectOk(await command(clientToken, onboardingId, 'submit-profile', profile));
    const documents = await uploadDocuments(hub, onboardingId, clientToken, PERSONAL_DOCUMENTS);
    expectOk(await command(clientToken, onboardingId, 'submit-documents'));
    const review = await waitForStatus(hub.sql, onboardingId, 'compliance_review');
    expect(review.screening.hits).toEqual([]);
    expect(review.risk.rating).toBe('high');
    expect(review.risk.factors.find((f: { factor: string }) => f.factor === 'pep')).toMatchObject({ decisive: true });
    expect(review).toMatchObject({ edd_required: true, approvals_required: 2, politically_exposed: true });

    await acceptDocuments(hub, tokens.helen, Object.values(documents));
    const noEvidence = await command(tokens.carla, onboardingId, 'approve');
    expectError(noEvidence, 400, 'KYC_REVIEW_REQUIRED');
    const [evidence] = Object.values(
      await uploadDocuments(hub, onboardingId, tokens.beth, ['source_of_funds_evidence']),
    );
    await acceptDocuments(hub, tokens.helen, [evidence]);
    expect(expectOk(await command(tokens.carla, onboardingId, 'approve')).status).toBe('compliance_review');
    expectError(await command(tokens.carla, onboardingId, 'approve'), 403, 'SECOND_APPROVER_REQUIRED');
    expect(expectOk(await command(tokens.colin, onboardingId, 'approve')).status).toBe('approved');
    const done = await waitForOnboarding(hub, onboardingId, (d) => d.kyc_expires_at !== null);
    const years = (Date.parse(done.kyc_expires_at) - Date.parse(done.decided_at)) / (365.25 * 86_400_000);
    expect(Math.round(years)).toBe(1);
    const [client] = await hub.sql`SELECT politically_exposed FROM clients WHERE id = ${done.client_id}`;
    expect(client.politically_exposed).toBe(true);
  });

  it('rejects on a confirmed true match, and refuses other advisors and second onboardings', async () => {
    const { onboardingId, clientToken } = await inviteNewClient(hub, tokens.alex, {
      name: 'Муаммар Каддафи',
      email: 'm.gaddafi@client.example',
    });
    // Another advisor's clients are not theirs to invite, and one client has one open onboarding.
    const [row] = await hub.sql`SELECT client_id FROM processes WHERE process_id = ${onboardingId}`;
    expectError(await hub.api(tokens.beth, 'POST', '/onboardings', { client_id: row.client_id }), 403, 'FORBIDDEN');
    expectError(
      await hub.api(tokens.alex, 'POST', '/onboardings', { client_id: row.client_id }),
      409,
      'ONBOARDING_IN_PROGRESS',
    );

    expectOk(
      await command(clientToken, onboardingId, 'submit-profile', {
        ...PROFILE,
        identity: { ...PROFILE.identity, legal_name: 'Muammar Gaddafi' },
      }),
    );
    await uploadDocuments(hub, onboardingId, clientToken, PERSONAL_DOCUMENTS);
    expectOk(await command(clientToken, onboardingId, 'submit-documents'));
    // Cyrillic and Latin spellings, surname first or last: the same listed person.
    const screened = await waitForOnboarding(hub, onboardingId, (d) => d.screening !== null);
    expect(screened.screening.hits.map((h: { entry_id: string }) => h.entry_id)).toEqual(['7157']);
    const rejected = expectOk(
      await command(tokens.carla, onboardingId, 'confirm-hit', {
        hit_id: screened.screening.hits[0].hit_id,
        outcome: 'reject',
        reason: 'Date of birth and nationality match the listed person',
      }),
    );
    expect(rejected).toMatchObject({ status: 'rejected', allowed_actions: [] });
    expectError(await command(tokens.colin, onboardingId, 'approve'), 400, 'INVALID_STATUS_TRANSITION');
    const audit = expectOk(await hub.api(tokens.admin, 'GET', `/onboardings/${onboardingId}/audit`)).audit;
    expect(
      audit.filter((a: { outcome: string }) => a.outcome === 'refused').map((a: { action: string }) => a.action),
    ).toEqual(expect.arrayContaining(['compliance_approve']));
  });

  it('refuses a new application when the client’s KYC is past its periodic review', async () => {
    await hub.sql`UPDATE clients SET kyc_expires_at = now() - interval '1 day' WHERE id = 'cli_fiona_fischer'`;
    const refused = await hub.api(tokens.beth, 'POST', '/applications', {
      client_id: 'cli_fiona_fischer',
      account_type: 'individual',
    });
    expectError(refused, 400, 'ONBOARDING_INCOMPLETE');
    expect(refused.body.error.message).toContain('expired');
    // Where clients are listed, the advisor and administrators see why before they try.
    const standing = async (token: string, path: string) =>
      (expectOk(await hub.api(token, 'GET', path)).clients as { id: string; kyc_standing: string }[]).find(
        (c) => c.id === 'cli_fiona_fischer',
      )?.kyc_standing;
    expect(await standing(tokens.beth, '/clients')).toBe('expired');
    expect(await standing(tokens.admin, '/admin/clients')).toBe('expired');
  });

  it('opens a periodic review for each client whose KYC falls due within the notice period, once', async () => {
    await hub.sql`UPDATE clients SET kyc_expires_at = now() + interval '20 days' WHERE id = 'cli_gabriel_garcia'`;
    await hub.sql`UPDATE clients SET kyc_expires_at = now() + interval '200 days' WHERE id = 'cli_chris_carter'`;
    const { clients } = expectOk(await hub.api(tokens.alex, 'GET', '/clients'));
    expect(
      Object.fromEntries(
        (clients as { id: string; kyc_standing: string }[])
          .filter((c) => ['cli_gabriel_garcia', 'cli_chris_carter'].includes(c.id))
          .map((c) => [c.id, c.kyc_standing]),
      ),
    ).toEqual({ cli_gabriel_garcia: 'review_due', cli_chris_carter: 'complete' });
    const run = (workflowId: string) =>
      hub.server.deps.temporal.workflow.execute(KYC_REVIEW_WORKFLOW_TYPE, {
        taskQueue: hub.taskQueue,
        workflowId,
        args: [],
      }) as Promise<KycReviewResult>;
    const first = await run('kyc-review-test-1');
    expect(first.started.map((s) => s.client_id).sort()).toEqual(['cli_fiona_fischer', 'cli_gabriel_garcia']);
    const review = first.started.find((s) => s.client_id === 'cli_gabriel_garcia')!;
    const detail = await waitForStatus(hub.sql, review.onboarding_id, 'invited');
    expect(detail.review_of_kyc_expiring).not.toBeNull();
    const [card] = await hub.sql`SELECT flags, advisor_id FROM processes WHERE process_id = ${review.onboarding_id}`;
    expect(card).toEqual({ flags: ['kyc_review_due'], advisor_id: 'usr_alex_advisor' });
    // The advisor sees it among their onboardings; a second run opens nothing new.
    const listed = expectOk(await hub.api(tokens.alex, 'GET', '/onboardings?status=invited')).onboardings;
    expect(listed.map((o: { onboarding_id: string }) => o.onboarding_id)).toContain(review.onboarding_id);
    expect(await run('kyc-review-test-2')).toEqual({ started: [], already_open: [] });
  });
});
