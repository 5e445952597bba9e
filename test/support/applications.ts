import { waitForStatus, type TestHub } from './hub.js';

/** An application opened by an advisor for a client and taken through the API into compliance review. */
export async function applicationInComplianceReview(hub: TestHub, advisorToken: string, clientId = 'cli_chris_carter'): Promise<string> {
  const created = await hub.api(advisorToken, 'POST', '/applications', { client_id: clientId, account_type: 'individual' });
  if (created.status !== 201) throw new Error(`could not open an application: ${JSON.stringify(created.body)}`);
  const id = created.body.application_id as string;
  const steps: [string, unknown][] = [
    ['products', { selected_products: ['prd_global_equity_index', 'prd_core_bond'] }],
    ['risk-assessment', { risk_score: 55, investment_objective: 'growth', investment_horizon: 'long_term' }],
    ['terms', { terms_accepted: true }],
    ['funding', { funding_method: 'wire_transfer', initial_investment_amount: 50000, currency: 'USD', source_of_funds: 'savings' }],
  ];
  for (const [path, body] of steps) {
    const response = await hub.api(advisorToken, 'POST', `/applications/${id}/${path}`, body);
    if (response.status !== 200) throw new Error(`${path} failed: ${JSON.stringify(response.body)}`);
  }
  await waitForStatus(hub.sql, id, 'compliance_review');
  return id;
}
