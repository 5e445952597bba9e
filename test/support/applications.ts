import { expect } from 'vitest';
import type { TestHub } from './hub.js';
import { waitForStatus } from './hub.js';

/** Drives a new application through the client-side steps to compliance review, as an advisor would. */
export async function openApplicationInReview(
  hub: TestHub,
  advisorToken: string,
  options: { client_id?: string; amount?: number } = {},
): Promise<string> {
  const created = await hub.api(advisorToken, 'POST', '/applications', {
    client_id: options.client_id ?? 'cli_chris_carter',
    account_type: 'individual',
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.application_id as string;
  const steps: [string, unknown][] = [
    ['products', { selected_products: ['prd_global_equity_index', 'prd_core_bond'] }],
    ['risk-assessment', { risk_score: 70, investment_objective: 'growth', investment_horizon: 'long_term' }],
    ['terms', { terms_accepted: true }],
    [
      'funding',
      {
        funding_method: 'wire_transfer',
        initial_investment_amount: options.amount ?? 50_000,
        currency: 'USD',
        source_of_funds: 'savings',
      },
    ],
  ];
  for (const [path, body] of steps) {
    const response = await hub.api(advisorToken, 'POST', `/applications/${id}/${path}`, body);
    expect(response.status, `${path}: ${JSON.stringify(response.body)}`).toBe(200);
  }
  await waitForStatus(hub.sql, id, 'compliance_review');
  return id;
}
