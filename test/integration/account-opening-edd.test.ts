import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditOf,
  driveTo,
  eventTypesOf,
  expectError,
  expectOk,
  FUNDING_BODY,
  loginAll,
  openApplication,
  type Login,
} from '../support/account-opening.js';
import { attachAcceptedEvidence } from '../support/document-files.js';
import { eventually, startTestHub, waitForStatus, type TestHub } from '../support/hub.js';

describe('enhanced due diligence and politically exposed clients: two approvals by different officers', () => {
  let hub: TestHub;
  let tokens: Record<Login, string>;
  beforeAll(async () => {
    hub = await startTestHub();
    tokens = await loginAll(hub);
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const approve = (who: Login, id: string) =>
    hub.api(tokens[who], 'POST', `/applications/${id}/approve`, { notes: `approved by ${who}` });

  /** First approval by one officer, a repeat by the same officer, then the second by another. */
  async function approveTwice(id: string, first: Login, second: Login, firstUserId: string, secondUserId: string) {
    const afterFirst = expectOk(await approve(first, id));
    expect(afterFirst.status).toBe('compliance_review');
    expect(afterFirst.approvals).toEqual([
      expect.objectContaining({
        approved_by: firstUserId,
        role: 'compliance_officer',
        channel: 'api',
        notes: `approved by ${first}`,
      }),
    ]);

    // The first approval is recorded and shown to everyone who reads the application.
    const shown = expectOk(await hub.api(tokens.alex, 'GET', `/applications/${id}`));
    expect(shown).toMatchObject({ status: 'compliance_review', approvals_required: 2, decided_by: null });
    expect(shown.approvals.map((a: { approved_by: string }) => a.approved_by)).toEqual([firstUserId]);
    const [row] = await hub.sql`SELECT status, detail FROM processes WHERE process_id = ${id}`;
    expect(row.status).toBe('compliance_review');
    expect(row.detail.approvals).toHaveLength(1);

    // The same officer cannot give the second approval, and may no longer approve from the board.
    expect(expectOk(await hub.api(tokens[first], 'GET', `/applications/${id}`)).allowed_actions).toEqual([
      'compliance_reject',
    ]);
    expect(expectOk(await hub.api(tokens[second], 'GET', `/applications/${id}`)).allowed_actions.sort()).toEqual([
      'compliance_approve',
      'compliance_reject',
    ]);
    expectError(await approve(first, id), 403, 'SECOND_APPROVER_REQUIRED');
    expect(expectOk(await hub.api(tokens.alex, 'GET', `/applications/${id}`)).approvals).toHaveLength(1);

    const afterSecond = expectOk(await approve(second, id));
    expect(['approved', 'account_created']).toContain(afterSecond.status);
    expect(afterSecond.approvals.map((a: { approved_by: string }) => a.approved_by)).toEqual([
      firstUserId,
      secondUserId,
    ]);
    const done = await waitForStatus(hub.sql, id, 'account_created', 30_000);
    expect(done).toMatchObject({ decided_by: secondUserId, account_number: expect.stringMatching(/^INV-\d{8}$/) });

    const audit = await auditOf(hub, id);
    const decisions = audit
      .filter((a) => a.action === 'compliance_approve')
      .map((a) => [a.actor_id, a.outcome, a.error_code, a.status_before, a.status_after]);
    expect(decisions).toEqual([
      [firstUserId, 'accepted', null, 'compliance_review', 'compliance_review'],
      [firstUserId, 'refused', 'SECOND_APPROVER_REQUIRED', 'compliance_review', 'compliance_review'],
      [secondUserId, 'accepted', null, 'compliance_review', 'approved'],
    ]);
    const types = await eventTypesOf(hub, id);
    expect(types.filter((t) => t !== 'account.status_viewed' && !t.startsWith('document.')).slice(-4)).toEqual([
      'account.review_started',
      'account.approval_recorded',
      'account.approved',
      'account.created',
    ]);
    const [recorded] =
      await hub.sql`SELECT payload FROM events WHERE process_id = ${id} AND type = 'account.approval_recorded'`;
    expect(recorded.payload).toEqual({
      application_id: id,
      approved_by: firstUserId,
      approvals_required: 2,
      timestamp: expect.any(String),
    });
    // Every other compliance officer hears that a second approval is needed; the first approver does not.
    const told = await eventually(
      async () => {
        const rows =
          await hub.sql`SELECT user_id FROM notifications WHERE process_id = ${id} AND kind = 'second_approval_needed' ORDER BY user_id`;
        return rows.length === 2 ? rows.map((r) => r.user_id as string) : undefined;
      },
      { what: 'second_approval_needed notifications' },
    );
    expect(told).not.toContain(firstUserId);
  }

  it('an initial investment above the edd_threshold setting (250,000) needs two approvals', async () => {
    const id = await openApplication(hub, tokens.alex);
    await driveTo(hub, tokens.alex, id, 'compliance_review', {
      funding: { ...FUNDING_BODY, initial_investment_amount: 300_000 },
    });
    const review = expectOk(await hub.api(tokens.carla, 'GET', `/applications/${id}`));
    expect(review).toMatchObject({
      edd_required: true,
      politically_exposed: false,
      approvals_required: 2,
      approvals: [],
    });
    const [card] = await hub.sql`SELECT flags FROM processes WHERE process_id = ${id}`;
    expect(card.flags).toEqual(['edd', 'suitability_warning']);
    // Above the threshold, source-of-funds evidence must be accepted first (see documents.test.ts).
    await attachAcceptedEvidence(hub, id, tokens.alex, tokens.helen);
    await approveTwice(id, 'carla', 'colin', 'usr_carla_compliance', 'usr_colin_compliance');
  });

  it('a politically exposed client needs two approvals whatever the amount', async () => {
    const id = await openApplication(hub, tokens.alex, 'cli_priya_patel');
    expect(expectOk(await hub.api(tokens.alex, 'GET', `/applications/${id}`))).toMatchObject({
      politically_exposed: true,
      approvals_required: 2,
    });
    await driveTo(hub, tokens.alex, id, 'compliance_review');
    const review = expectOk(await hub.api(tokens.colin, 'GET', `/applications/${id}`));
    expect(review).toMatchObject({ edd_required: false, politically_exposed: true, approvals_required: 2 });
    await approveTwice(id, 'colin', 'helen', 'usr_colin_compliance', 'usr_helen_head');
  });

  it('the threshold is "above": exactly 250,000 needs one approval; the setting is read when an application starts', async () => {
    const atThreshold = await openApplication(hub, tokens.alex);
    await driveTo(hub, tokens.alex, atThreshold, 'compliance_review', {
      funding: { ...FUNDING_BODY, initial_investment_amount: 250_000 },
    });
    expect(expectOk(await hub.api(tokens.carla, 'GET', `/applications/${atThreshold}`))).toMatchObject({
      edd_required: false,
      approvals_required: 1,
    });
    expect(expectOk(await approve('carla', atThreshold)).approvals).toHaveLength(1);
    await waitForStatus(hub.sql, atThreshold, 'account_created', 30_000);

    await hub.sql`UPDATE settings SET value = '100000' WHERE key = 'edd_threshold'`;
    try {
      const lowered = await openApplication(hub, tokens.alex, 'cli_gabriel_garcia');
      await driveTo(hub, tokens.alex, lowered, 'compliance_review', {
        funding: { ...FUNDING_BODY, initial_investment_amount: 150_000 },
      });
      expect(expectOk(await hub.api(tokens.carla, 'GET', `/applications/${lowered}`))).toMatchObject({
        edd_required: true,
        approvals_required: 2,
      });
    } finally {
      await hub.sql`UPDATE settings SET value = '250000' WHERE key = 'edd_threshold'`;
    }
  });

  it('a rejection after the first approval needs its reason and ends the application', async () => {
    const id = await openApplication(hub, tokens.alex, 'cli_priya_patel');
    await driveTo(hub, tokens.alex, id, 'compliance_review');
    expectOk(await approve('carla', id));
    expectError(await hub.api(tokens.colin, 'POST', `/applications/${id}/reject`, {}), 400, 'VALIDATION_FAILED');
    const rejected = expectOk(
      await hub.api(tokens.colin, 'POST', `/applications/${id}/reject`, {
        rejection_reason: 'PEP source of wealth not evidenced',
      }),
    );
    expect(rejected).toMatchObject({
      status: 'rejected',
      rejection_reason: 'PEP source of wealth not evidenced',
      decided_by: 'usr_colin_compliance',
    });
    const [event] = await hub.sql`SELECT payload FROM events WHERE process_id = ${id} AND type = 'account.rejected'`;
    expect(event.payload).toEqual({
      application_id: id,
      rejection_reason: 'PEP source of wealth not evidenced',
      rejected_by: 'usr_colin_compliance',
      timestamp: expect.any(String),
    });
    expectError(await approve('helen', id), 400, 'INVALID_STATUS_TRANSITION');
  });
});
