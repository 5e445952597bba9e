import type { ClientSnapshot, ProductSnapshot } from '../workflows/account-opening/definitions.js';
import type { Queryable } from './client.js';

export interface ClientRow extends ClientSnapshot {
  email: string;
  kyc_status: 'complete' | 'pending' | 'incomplete';
}

export async function getClient(db: Queryable, clientId: string): Promise<ClientRow | undefined> {
  const [row] = await db`SELECT id, name, email, kyc_status, politically_exposed, advisor_id, user_id FROM clients WHERE id = ${clientId}`;
  return row as ClientRow | undefined;
}

export async function listActiveProducts(db: Queryable): Promise<(ProductSnapshot & { description: string })[]> {
  const rows = await db`
    SELECT id, name, description, category, risk_level, liquidity, minimum_investment, management_fee_percent
    FROM products WHERE active ORDER BY risk_level, name`;
  return rows as unknown as (ProductSnapshot & { description: string })[];
}
