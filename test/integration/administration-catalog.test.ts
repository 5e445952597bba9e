import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectOk, openApplication } from '../support/account-opening.js';
import { startTestHub, waitForNotice, type TestHub } from '../support/hub.js';

const SHELF_PRODUCT = {
  id: 'prd_world_equity',
  name: 'World Equity Fund',
  description: 'Developed and emerging markets.',
  category: 'equity',
  risk_level: 'growth',
  liquidity: 'daily',
  minimum_investment: 1000,
  currency: 'USD',
  management_fee_percent: 0.25,
};

describe('the product shelf and client assignments, with applications in flight', () => {
  let hub: TestHub;
  let admin: string;
  let alex: string;
  let beth: string;

  beforeAll(async () => {
    hub = await startTestHub();
    [admin, alex, beth] = await Promise.all(
      ['ada.admin@hub.example', 'alex.advisor@hub.example', 'beth.advisor@hub.example'].map((e) => hub.login(e)),
    );
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('lets an application keep the version it started with after the product is edited and retired', async () => {
    expectOk(await hub.api(admin, 'POST', '/admin/products', SHELF_PRODUCT), 201);
    const applicationId = await openApplication(hub, alex, 'cli_chris_carter');
    expectOk(await hub.api(admin, 'PATCH', `/admin/products/${SHELF_PRODUCT.id}`, { minimum_investment: 5000 }));
    expectOk(await hub.api(admin, 'POST', `/admin/products/${SHELF_PRODUCT.id}/retire`));

    const offered = expectOk(await hub.api(alex, 'GET', '/clients/cli_chris_carter/products'));
    expect(offered.products.map((p: { id: string }) => p.id)).not.toContain(SHELF_PRODUCT.id);
    const later = await openApplication(hub, alex, 'cli_chris_carter');
    const refused = await hub.api(alex, 'POST', `/applications/${later}/products`, {
      selected_products: [SHELF_PRODUCT.id],
    });
    expectError(refused, 400, 'VALIDATION_FAILED');

    const selected = expectOk(
      await hub.api(alex, 'POST', `/applications/${applicationId}/products`, { selected_products: [SHELF_PRODUCT.id] }),
    );
    expect(selected.selected_products).toMatchObject([{ product_id: SHELF_PRODUCT.id, product_version: 1 }]);
  });

  it('moves a client’s open applications with the client to another advisor: permissions and boards follow', async () => {
    const applicationId = await openApplication(hub, alex, 'cli_gabriel_garcia');
    const moved = expectOk(
      await hub.api(admin, 'PATCH', '/admin/clients/cli_gabriel_garcia', { advisor_id: 'usr_beth_advisor' }),
    );
    expect(moved.moved_applications).toContain(applicationId);
    await waitForNotice(hub.sql, 'process_changed', async () => {
      const [row] = await hub.sql`SELECT advisor_id FROM processes WHERE process_id = ${applicationId}`;
      return row.advisor_id === 'usr_beth_advisor';
    });
    expectError(await hub.api(alex, 'GET', `/applications/${applicationId}`), 403, 'FORBIDDEN');
    expectOk(await hub.api(beth, 'GET', `/applications/${applicationId}`));
    const [audit] =
      await hub.sql`SELECT details FROM audit_log WHERE action = 'update_client' AND process_id = 'cli_gabriel_garcia'`;
    expect(audit.details).toMatchObject({
      before: { advisor_id: 'usr_alex_advisor' },
      after: { advisor_id: 'usr_beth_advisor' },
    });
  });

  it('refuses every administration change to anyone but an administrator, and audits each refusal', async () => {
    const attempts = [
      ['PATCH', '/admin/clients/cli_chris_carter', { kyc_status: 'complete' }],
      ['POST', '/admin/products', SHELF_PRODUCT],
      ['PATCH', '/admin/settings', { edd_threshold: 1 }],
      ['POST', '/admin/users', { email: 'z@hub.example', name: 'Z', role: 'admin' }],
    ] as const;
    for (const [method, path, body] of attempts) expectError(await hub.api(beth, method, path, body), 403, 'FORBIDDEN');
    const refusals = await hub.sql`
      SELECT action FROM audit_log WHERE actor_id = 'usr_beth_advisor' AND outcome = 'refused' ORDER BY id`;
    expect(refusals.map((r) => r.action)).toEqual([
      'manage_clients',
      'manage_products',
      'manage_settings',
      'manage_users',
    ]);
  });
});
