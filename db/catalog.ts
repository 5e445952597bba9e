import type { ClientSnapshot, ProductSnapshot } from '../workflows/account-opening/definitions.js';
import { toWireNumber } from '../workflows/money.js';
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
  // numeric columns arrive as exact text; the snapshot carries them as the JSON numbers that hold them exactly.
  return rows.map((row) => ({
    ...(row as unknown as ProductSnapshot & { description: string }),
    minimum_investment: toWireNumber(row.minimum_investment as string),
    management_fee_percent: toWireNumber(row.management_fee_percent as string),
  }));
}
