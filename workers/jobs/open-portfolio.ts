import type PgBoss from 'pg-boss';
import { appendAudit } from '../../db/audit.js';
import type { Sql } from '../../db/client.js';
import { appendEvents } from '../../db/events.js';
import { QUEUES, workQueue } from '../../db/jobs.js';
import type { EventJob } from '../../db/transitions.js';
import { SYSTEM_ACTOR } from '../../workflows/process-records.js';
import { MODEL_FOR_RISK_PROFILE, rebalancingSpec } from '../../workflows/rebalancing/spec.js';

export function portfolioIdFor(accountNumber: string): string {
  return `pf_${accountNumber.toLowerCase().replace(/[^a-z0-9]/g, '')}`;
}

/**
 * An account opened by account opening becomes a portfolio: all cash (the initial investment) on the model
 * of the client's risk profile, so the next drift check proposes investing it. Running the job again
 * changes nothing: one portfolio per account.
 */
export async function openPortfolioForAccount(sql: Sql, job: EventJob): Promise<string | null> {
  const accountNumber = String(job.payload.account_number);
  const [application] = await sql`SELECT detail FROM processes WHERE process_id = ${job.process_id}`;
  if (!application) throw new Error(`account ${accountNumber}: application ${job.process_id} is not in the read model`);
  const detail = application.detail as {
    client_id: string;
    risk_profile: keyof typeof MODEL_FOR_RISK_PROFILE | null;
    initial_investment_amount: number | null;
    currency: string | null;
  };
  const modelId = MODEL_FOR_RISK_PROFILE[detail.risk_profile ?? 'balanced'] ?? 'balanced';
  const [model] = await sql`SELECT id FROM model_portfolios WHERE id = ${modelId}`;
  if (!model)
    throw new Error(
      `account ${accountNumber}: model portfolio ${modelId} does not exist; set up the model portfolios first`,
    );

  const portfolioId = portfolioIdFor(accountNumber);
  const cash = detail.initial_investment_amount ?? 0;
  return sql.begin(async (tx) => {
    const [created] = await tx`
      INSERT INTO portfolios (id, account_number, client_id, model_id, cash, currency)
      VALUES (${portfolioId}, ${accountNumber}, ${detail.client_id}, ${modelId}, ${cash}, ${detail.currency ?? 'USD'})
      ON CONFLICT (account_number) DO NOTHING
      RETURNING id`;
    if (!created) return null;
    const timestamp = new Date().toISOString();
    await appendAudit(tx, {
      process_type: 'portfolio',
      process_id: portfolioId,
      actor: SYSTEM_ACTOR,
      action: 'open_portfolio',
      outcome: 'accepted',
      details: {
        account_number: accountNumber,
        application_id: job.process_id,
        model_id: modelId,
        risk_profile: detail.risk_profile,
        cash,
      },
    });
    await appendEvents(tx, rebalancingSpec.processType, null, [
      {
        type: 'portfolio.opened',
        payload: {
          portfolio_id: portfolioId,
          account_number: accountNumber,
          client_id: detail.client_id,
          model_id: modelId,
          cash,
          timestamp,
        },
      },
    ]);
    return portfolioId;
  });
}

export async function registerPortfolioJobs(boss: PgBoss, sql: Sql): Promise<void> {
  await workQueue<EventJob>(boss, QUEUES.openPortfolio, { batchSize: 5 }, async (jobs) => {
    for (const job of jobs) await openPortfolioForAccount(sql, job.data);
  });
}
