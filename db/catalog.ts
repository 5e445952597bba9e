import type { ClientSnapshot, ProductSnapshot } from '../workflows/account-opening/definitions.js';
import { toWireNumber } from '../workflows/money.js';
import type { VisibilityFilter } from '../workflows/policy.js';
import type { Queryable } from './client.js';

export type KycStatus = 'complete' | 'pending' | 'incomplete';
export type ClientType = 'individual' | 'joint' | 'entity';

export interface ClientRow extends ClientSnapshot {
  email: string;
  kyc_status: KycStatus;
  /** Where the client (and so their processes) sits in the firm: their team and its office. */
  team_id: string | null;
  office_id: string | null;
  /** When the KYC an onboarding completed falls due for review; null for KYC recorded without one. */
  kyc_expires_at: string | null;
}

const CLIENT_PLACE = (db: Queryable) =>
  db`c.team_id, (SELECT t.office_id FROM teams t WHERE t.id = c.team_id) AS office_id`;

/** A client as administrators keep it. */
export interface ClientRecord extends ClientRow {
  client_type: ClientType;
  jurisdiction: string | null;
  birth_or_incorporation_date: string | null;
  advisor_name: string | null;
}

export type ClientFields = Omit<
  ClientRecord,
  'id' | 'user_id' | 'advisor_name' | 'team_id' | 'office_id' | 'kyc_expires_at'
>;

const KYC_EXPIRY = (db: Queryable) =>
  db`to_char(c.kyc_expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS kyc_expires_at`;

export async function getClient(db: Queryable, clientId: string): Promise<ClientRow | undefined> {
  const [row] = await db`
    SELECT c.id, c.name, c.email, c.kyc_status, ${KYC_EXPIRY(db)}, c.politically_exposed, c.advisor_id, c.user_id,
      ${CLIENT_PLACE(db)}
    FROM clients c WHERE c.id = ${clientId}`;
  return row as ClientRow | undefined;
}

const CLIENT_COLUMNS = (db: Queryable) => db`
  c.id, c.name, c.email, c.kyc_status, ${KYC_EXPIRY(db)}, c.politically_exposed, c.advisor_id, c.user_id,
  c.client_type, c.jurisdiction, to_char(c.birth_or_incorporation_date, 'YYYY-MM-DD') AS birth_or_incorporation_date,
  a.name AS advisor_name, ${CLIENT_PLACE(db)}`;

export async function getClientRecord(db: Queryable, clientId: string): Promise<ClientRecord | undefined> {
  const [row] =
    await db`SELECT ${CLIENT_COLUMNS(db)} FROM clients c LEFT JOIN users a ON a.id = c.advisor_id WHERE c.id = ${clientId}`;
  return row as ClientRecord | undefined;
}

export async function searchClients(
  db: Queryable,
  filter: { q?: string; advisor_id?: string; limit: number },
): Promise<ClientRecord[]> {
  const like = filter.q ? `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const rows = await db`
    SELECT ${CLIENT_COLUMNS(db)} FROM clients c LEFT JOIN users a ON a.id = c.advisor_id
    WHERE true
      ${like ? db`AND (c.name ILIKE ${like} OR c.email ILIKE ${like})` : db``}
      ${filter.advisor_id ? db`AND c.advisor_id = ${filter.advisor_id}` : db``}
    ORDER BY c.name, c.id LIMIT ${filter.limit}`;
  return rows as unknown as ClientRecord[];
}

/** The clients a person may see on the board (the account-opening visibility), by name. */
export type ClientListing = Pick<
  ClientRow,
  'id' | 'name' | 'email' | 'kyc_status' | 'kyc_expires_at' | 'politically_exposed' | 'advisor_id'
>;

export async function listVisibleClients(db: Queryable, v: VisibilityFilter): Promise<ClientListing[]> {
  if ('none' in v) return [];
  const rows = await db`
    SELECT c.id, c.name, c.email, c.kyc_status, ${KYC_EXPIRY(db)}, c.politically_exposed, c.advisor_id
    FROM clients c
    WHERE true
      ${'advisor_id' in v ? db`AND c.advisor_id = ${v.advisor_id}` : db``}
      ${'client_user_id' in v ? db`AND c.user_id = ${v.client_user_id}` : db``}
      ${'team_id' in v ? db`AND c.team_id = ${v.team_id}` : db``}
      ${'office_id' in v ? db`AND c.team_id IN (SELECT id FROM teams WHERE office_id = ${v.office_id})` : db``}
    ORDER BY c.name`;
  return rows as unknown as ClientListing[];
}

export async function insertClient(db: Queryable, id: string, fields: ClientFields): Promise<void> {
  await db`INSERT INTO clients ${db({ id, ...fields })}`;
}

export async function updateClient(db: Queryable, id: string, fields: Partial<ClientFields>): Promise<void> {
  const set = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  if (!Object.keys(set).length) return;
  await db`UPDATE clients SET ${db(set)}, updated_at = now() WHERE id = ${id}`;
}

export async function linkClientUser(db: Queryable, clientId: string, userId: string): Promise<void> {
  await db`UPDATE clients SET user_id = ${userId}, updated_at = now() WHERE id = ${clientId}`;
}

/** Open processes of a client, for moving them with the client to another advisor. */
export async function openProcessesOfClient(
  db: Queryable,
  clientId: string,
  processType: string,
  terminalStates: string[],
) {
  const rows = await db`
    SELECT process_id FROM processes
    WHERE client_id = ${clientId} AND process_type = ${processType} AND NOT (status = ANY(${terminalStates}))`;
  return rows.map((r) => r.process_id as string);
}

export type ProductTerms = Omit<ProductSnapshot, 'id' | 'version'> & { description: string; currency: string };

export interface ProductRow extends ProductTerms {
  id: string;
  version: number;
  active: boolean;
  retired_at: string | null;
}

const PRODUCT_COLUMNS = (db: Queryable) => db`
  id, name, description, category, risk_level, liquidity, minimum_investment, management_fee_percent, currency, version, active,
  retired_at`;

// numeric columns arrive as exact text; products carry them as the JSON numbers that hold them exactly.
const exactTerms = (row: Record<string, unknown>) => ({
  minimum_investment: toWireNumber(row.minimum_investment as string),
  management_fee_percent: toWireNumber(row.management_fee_percent as string),
});

const toProduct = (row: Record<string, unknown>): ProductRow => ({
  ...(row as unknown as ProductRow),
  ...exactTerms(row),
  retired_at: row.retired_at ? new Date(row.retired_at as string).toISOString() : null,
});

/** The products offered now, each at its current version. */
export async function listActiveProducts(
  db: Queryable,
): Promise<(ProductSnapshot & { description: string; currency: string })[]> {
  const rows = await db`
    SELECT id, name, description, category, risk_level, liquidity, minimum_investment, management_fee_percent, currency, version
    FROM products WHERE active ORDER BY risk_level, name`;
  return rows.map((row) => ({
    ...(row as unknown as ProductSnapshot & { description: string; currency: string }),
    ...exactTerms(row),
  }));
}

export async function listAllProducts(db: Queryable): Promise<ProductRow[]> {
  const rows = await db`SELECT ${PRODUCT_COLUMNS(db)} FROM products ORDER BY active DESC, name, id`;
  return rows.map(toProduct);
}

export async function getProduct(db: Queryable, id: string): Promise<ProductRow | undefined> {
  const [row] = await db`SELECT ${PRODUCT_COLUMNS(db)} FROM products WHERE id = ${id}`;
  return row ? toProduct(row) : undefined;
}

export async function listProductVersions(db: Queryable, id: string) {
  const rows = await db`
    SELECT version, terms, created_by, created_at FROM product_versions WHERE product_id = ${id} ORDER BY version DESC`;
  return rows.map((r) => ({ ...r, created_at: new Date(r.created_at as string).toISOString() })) as {
    version: number;
    terms: ProductTerms;
    created_by: string | null;
    created_at: string;
  }[];
}

/** A product's first version, or its next: the row holds the current terms, the version table every one. */
export async function saveProductVersion(db: Queryable, id: string, terms: ProductTerms, by: string): Promise<number> {
  const [row] = await db`
    INSERT INTO products ${db({ id, ...terms, version: 1 })}
    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description, category = EXCLUDED.category,
      risk_level = EXCLUDED.risk_level, liquidity = EXCLUDED.liquidity, minimum_investment = EXCLUDED.minimum_investment,
      management_fee_percent = EXCLUDED.management_fee_percent, currency = EXCLUDED.currency,
      version = products.version + 1, updated_at = now()
    RETURNING version`;
  const version = row.version as number;
  await db`INSERT INTO product_versions ${db({ product_id: id, version, terms: db.json(terms as never), created_by: by })}`;
  return version;
}

export async function retireProduct(db: Queryable, id: string): Promise<void> {
  await db`UPDATE products SET active = false, retired_at = now(), updated_at = now() WHERE id = ${id}`;
}

/** An approved onboarding's KYC: complete until its periodic review, with the exposure it found. */
export async function completeClientKyc(
  db: Queryable,
  kyc: {
    client_id: string;
    onboarding_id: string;
    risk_rating: string;
    politically_exposed: boolean;
    kyc_expires_at: string;
  },
): Promise<void> {
  await db`
    UPDATE clients SET kyc_status = 'complete', kyc_expires_at = ${kyc.kyc_expires_at}, kyc_risk_rating = ${kyc.risk_rating},
      kyc_onboarding_id = ${kyc.onboarding_id}, politically_exposed = politically_exposed OR ${kyc.politically_exposed},
      updated_at = now()
    WHERE id = ${kyc.client_id}`;
}

/** Clients whose complete KYC falls due within `days`, with no onboarding open: the periodic reviews to start. */
export async function listClientsWithKycDue(db: Queryable, days: number) {
  const rows = await db`
    SELECT c.id, c.name, c.advisor_id, c.user_id, c.client_type, c.politically_exposed, c.kyc_expires_at
    FROM clients c
    WHERE c.kyc_status = 'complete' AND c.kyc_expires_at IS NOT NULL
      AND c.kyc_expires_at <= now() + make_interval(days => ${days})
      AND NOT EXISTS (
        SELECT 1 FROM processes p
        WHERE p.client_id = c.id AND p.process_type = 'client_onboarding'
          AND p.status IN ('invited', 'profile', 'documents', 'screening', 'compliance_review'))
    ORDER BY c.kyc_expires_at, c.id`;
  return rows.map((r) => ({
    id: r.id as string,
    name: r.name as string,
    advisor_id: r.advisor_id as string | null,
    user_id: r.user_id as string | null,
    client_type: r.client_type as ClientType,
    politically_exposed: r.politically_exposed as boolean,
    kyc_expires_at: new Date(r.kyc_expires_at).toISOString(),
  }));
}
