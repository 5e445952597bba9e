import type { Sql } from '../db/client.js';
import { hashPassword } from '../hub/passwords.js';
import type { Role } from '../workflows/process-spec.js';
import type { Logger } from './logger.js';

/** Every demo login uses this password; the README lists the logins. Never seed demo data in production. */
export const DEMO_PASSWORD = 'demo-hub-2026';

export const DEMO_USERS: { id: string; email: string; name: string; role: Role }[] = [
  { id: 'usr_ada_admin', email: 'ada.admin@hub.example', name: 'Ada Admin', role: 'admin' },
  { id: 'usr_omar_ops', email: 'omar.ops@hub.example', name: 'Omar Ops', role: 'ops' },
  { id: 'usr_maya_manager', email: 'maya.manager@hub.example', name: 'Maya Manager', role: 'manager' },
  {
    id: 'usr_carla_compliance',
    email: 'carla.compliance@hub.example',
    name: 'Carla Compliance',
    role: 'compliance_officer',
  },
  {
    id: 'usr_colin_compliance',
    email: 'colin.compliance@hub.example',
    name: 'Colin Compliance',
    role: 'compliance_officer',
  },
  {
    id: 'usr_helen_head',
    email: 'helen.head@hub.example',
    name: 'Helen Head (Head of Compliance)',
    role: 'compliance_officer',
  },
  { id: 'usr_alex_advisor', email: 'alex.advisor@hub.example', name: 'Alex Advisor', role: 'advisor' },
  { id: 'usr_beth_advisor', email: 'beth.advisor@hub.example', name: 'Beth Advisor', role: 'advisor' },
  { id: 'usr_chris_client', email: 'chris.carter@client.example', name: 'Chris Carter', role: 'client' },
  { id: 'usr_priya_client', email: 'priya.patel@client.example', name: 'Priya Patel', role: 'client' },
  { id: 'usr_dana_client', email: 'dana.diaz@client.example', name: 'Dana Diaz', role: 'client' },
  { id: 'usr_fiona_client', email: 'fiona.fischer@client.example', name: 'Fiona Fischer', role: 'client' },
];

export const DEMO_CLIENTS = [
  {
    id: 'cli_chris_carter',
    name: 'Chris Carter',
    email: 'chris.carter@client.example',
    kyc_status: 'complete',
    politically_exposed: false,
    advisor_id: 'usr_alex_advisor',
    user_id: 'usr_chris_client',
  },
  {
    id: 'cli_priya_patel',
    name: 'Priya Patel',
    email: 'priya.patel@client.example',
    kyc_status: 'complete',
    politically_exposed: true,
    advisor_id: 'usr_alex_advisor',
    user_id: 'usr_priya_client',
  },
  {
    id: 'cli_gabriel_garcia',
    name: 'Gabriel Garcia',
    email: 'gabriel.garcia@client.example',
    kyc_status: 'complete',
    politically_exposed: false,
    advisor_id: 'usr_alex_advisor',
    user_id: null,
  },
  {
    id: 'cli_dana_diaz',
    name: 'Dana Diaz',
    email: 'dana.diaz@client.example',
    kyc_status: 'incomplete',
    politically_exposed: false,
    advisor_id: 'usr_beth_advisor',
    user_id: 'usr_dana_client',
  },
  {
    id: 'cli_evan_evans',
    name: 'Evan Evans',
    email: 'evan.evans@client.example',
    kyc_status: 'pending',
    politically_exposed: false,
    advisor_id: 'usr_beth_advisor',
    user_id: null,
  },
  {
    id: 'cli_fiona_fischer',
    name: 'Fiona Fischer',
    email: 'fiona.fischer@client.example',
    kyc_status: 'complete',
    politically_exposed: false,
    advisor_id: 'usr_beth_advisor',
    user_id: 'usr_fiona_client',
  },
] as const;

/** A realistic catalog across the risk ladder and liquidity terms: minimums and annual fees as firms publish them. */
export const DEMO_PRODUCTS = [
  [
    'prd_treasury_mmf',
    'Treasury Money Market Fund',
    'Short-dated US Treasury bills; daily liquidity, capital preservation.',
    'cash',
    'conservative',
    'daily',
    1000,
    0.15,
  ],
  [
    'prd_core_bond',
    'Core Bond Fund',
    'Investment-grade government and corporate bonds, intermediate duration.',
    'fixed_income',
    'conservative',
    'daily',
    5000,
    0.35,
  ],
  [
    'prd_muni_ladder',
    'Municipal Bond Ladder',
    'Tax-exempt municipal bonds laddered over 1 to 10 years.',
    'fixed_income',
    'moderate',
    'monthly',
    25000,
    0.45,
  ],
  [
    'prd_capital_protected_note',
    'Capital-Protected Structured Note',
    'Five-year note with 100% principal protection at maturity and capped equity upside.',
    'structured',
    'moderate',
    'illiquid',
    50000,
    0.9,
  ],
  [
    'prd_balanced_income',
    'Balanced Income Portfolio',
    '60/40 multi-asset portfolio with quarterly rebalancing.',
    'multi_asset',
    'balanced',
    'daily',
    10000,
    0.6,
  ],
  [
    'prd_real_estate_income',
    'Real Estate Income Trust',
    'Non-traded REIT of core commercial property; quarterly redemption windows.',
    'real_estate',
    'balanced',
    'quarterly',
    25000,
    1.1,
  ],
  [
    'prd_global_equity_index',
    'Global Equity Index Fund',
    'MSCI ACWI index tracker, developed and emerging markets.',
    'equity',
    'growth',
    'daily',
    2500,
    0.2,
  ],
  [
    'prd_dividend_growth',
    'Dividend Growth Equity',
    'Actively managed large-cap companies with growing dividends.',
    'equity',
    'growth',
    'daily',
    10000,
    0.65,
  ],
  [
    'prd_private_credit',
    'Private Credit Fund',
    'Senior secured loans to mid-market companies; five-year lock-up.',
    'alternatives',
    'growth',
    'illiquid',
    100000,
    1.5,
  ],
  [
    'prd_emerging_markets',
    'Emerging Markets Equity',
    'Concentrated emerging-markets equity, high volatility.',
    'equity',
    'aggressive_growth',
    'daily',
    10000,
    0.95,
  ],
  [
    'prd_venture_growth',
    'Venture Growth Fund',
    'Late-stage venture capital; ten-year fund life, capital calls.',
    'alternatives',
    'aggressive_growth',
    'illiquid',
    250000,
    2.0,
  ],
  [
    'prd_digital_assets',
    'Digital Assets Thematic Fund',
    'Listed digital-asset miners, exchanges and spot bitcoin ETPs.',
    'equity',
    'aggressive_growth',
    'daily',
    5000,
    1.25,
  ],
] as const;

/** Seeds the demo firm once; a database that already has users is left alone. */
export async function seedDemoData(sql: Sql, log: Logger): Promise<boolean> {
  const [{ n }] = await sql`SELECT count(*)::int AS n FROM users`;
  if (n > 0) return false;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await sql.begin(async (tx) => {
    await tx`INSERT INTO users ${tx(DEMO_USERS.map((u) => ({ ...u, password_hash: passwordHash })))} ON CONFLICT DO NOTHING`;
    await tx`INSERT INTO clients ${tx(DEMO_CLIENTS.map((c) => ({ ...c })))} ON CONFLICT DO NOTHING`;
    await tx`
      INSERT INTO products ${tx(
        DEMO_PRODUCTS.map(
          ([id, name, description, category, risk_level, liquidity, minimum_investment, management_fee_percent]) => ({
            id,
            name,
            description,
            category,
            risk_level,
            liquidity,
            minimum_investment,
            management_fee_percent,
          }),
        ),
      )}
      ON CONFLICT DO NOTHING`;
    // The demo firm escalates long-breached compliance reviews to its Head of Compliance, by name.
    await tx`
      UPDATE sla_policies
      SET rungs = jsonb_set(rungs, '{2,notify}', '["role:manager", "user:usr_helen_head"]')
      WHERE id = 'account-opening-compliance-review' AND rungs -> 2 ->> 'kind' = 'escalation'`;
  });
  log.info(
    { users: DEMO_USERS.length, clients: DEMO_CLIENTS.length, products: DEMO_PRODUCTS.length },
    'demo data seeded',
  );
  return true;
}
