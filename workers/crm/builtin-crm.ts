import type { Sql } from '../../db/client.js';
import type { CrmAdapter } from './crm.js';

/** Books accounts in the hub's own database; the unique application_id makes a retry return the same account. */
export function createBuiltinCrm(sql: Sql): CrmAdapter {
  return {
    name: 'builtin',
    async createAccount(request) {
      const [created] = await sql`
        INSERT INTO accounts (account_number, application_id, client_id, account_type, currency)
        VALUES ('INV-' || lpad(nextval('account_number_seq')::text, 8, '0'), ${request.application_id}, ${request.client_id},
                ${request.account_type}, ${request.currency})
        ON CONFLICT (application_id) DO NOTHING
        RETURNING account_number`;
      if (created) return { account_number: created.account_number as string };
      const [existing] =
        await sql`SELECT account_number FROM accounts WHERE application_id = ${request.application_id}`;
      return { account_number: existing.account_number as string };
    },
  };
}
