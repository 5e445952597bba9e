import type { VisibilityFilter } from '../workflows/policy.js';
import type { ProcessCard } from '../workflows/process-records.js';
import type { Queryable, Sql } from './client.js';
import { visibilityCondition } from './processes.js';

/** Reads behind the board: cards, the change log the gateway replays, and the ops center's figures. */

/** A process as a board card: the read model's card columns plus what the board shows beside them. */
export interface BoardCard extends ProcessCard {
  process_id: string;
  office_id: string | null;
  team_id: string | null;
  process_type: string;
  version: number;
  advisor_name: string | null;
  created_at: string;
  updated_at: string;
}

/** A committed transition as the change log holds it, with the relations before and after it. */
export interface StoredChange {
  sequence: number;
  process_type: string;
  process_id: string;
  version: number;
  client_user_id: string | null;
  advisor_id: string | null;
  prev_client_user_id: string | null;
  prev_advisor_id: string | null;
  office_id: string | null;
  team_id: string | null;
  prev_office_id: string | null;
  prev_team_id: string | null;
  card: BoardCard;
}

/** One process type's visibility for a person, as the policy gives it. */
export interface TypeVisibility {
  process_type: string;
  visibility: VisibilityFilter;
}

const CARD_OF_ROW = (db: Queryable) => db`(to_jsonb(p) - 'detail') || jsonb_build_object('advisor_name', u.name)`;

/** Rows of any of these types, each as far as its own visibility allows. */
function typesCondition(db: Queryable, types: TypeVisibility[]) {
  const any = types.reduce(
    (condition, t) =>
      db`${condition} OR (p.process_type = ${t.process_type} ${visibilityCondition(db, t.visibility, 'p')})`,
    db`false`,
  );
  return db`AND (${any})`;
}

export interface CardFilters {
  status?: string[];
  advisor_id?: string;
  client_id?: string;
  office_id?: string;
  team_id?: string;
  /** SLA statuses; `none` matches processes without an SLA clock now. */
  sla_status?: string[];
  /** Matched against the title, the process id and the client id, case-insensitively. */
  q?: string;
  limit: number;
  /** Keyset paging, newest change first. */
  before?: { updated_at: string; process_id: string };
}

export async function listCards(db: Queryable, types: TypeVisibility[], filters: CardFilters): Promise<BoardCard[]> {
  const sla = filters.sla_status ?? [];
  const slaStates = sla.filter((s) => s !== 'none');
  const pattern = filters.q ? `%${filters.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
  const rows = await db`
    SELECT ${CARD_OF_ROW(db)} AS card
    FROM processes p LEFT JOIN users u ON u.id = p.advisor_id
    WHERE true ${typesCondition(db, types)}
      ${filters.status?.length ? db`AND p.status = ANY(${filters.status})` : db``}
      ${filters.advisor_id ? db`AND p.advisor_id = ${filters.advisor_id}` : db``}
      ${filters.client_id ? db`AND p.client_id = ${filters.client_id}` : db``}
      ${filters.office_id ? db`AND p.office_id = ${filters.office_id}` : db``}
      ${filters.team_id ? db`AND p.team_id = ${filters.team_id}` : db``}
      ${
        sla.length
          ? db`AND (${sla.includes('none') ? db`p.sla IS NULL` : db`false`} OR p.sla ->> 'status' = ANY(${slaStates}))`
          : db``
      }
      ${pattern ? db`AND (p.title ILIKE ${pattern} OR p.process_id ILIKE ${pattern} OR p.client_id ILIKE ${pattern})` : db``}
      ${filters.before ? db`AND (p.updated_at, p.process_id) < (${filters.before.updated_at}, ${filters.before.process_id})` : db``}
    ORDER BY p.updated_at DESC, p.process_id DESC
    LIMIT ${filters.limit}`;
  return rows.map((r) => r.card as BoardCard);
}

export async function getCard(db: Queryable, processId: string): Promise<BoardCard | undefined> {
  const [row] = await db`
    SELECT ${CARD_OF_ROW(db)} AS card FROM processes p LEFT JOIN users u ON u.id = p.advisor_id WHERE p.process_id = ${processId}`;
  return row?.card as BoardCard | undefined;
}

/**
 * A board's cards and the sequence they are current up to, read in one snapshot so that every change
 * after that sequence is one the board has not seen. Finished processes stay for `terminalDays`.
 */
export async function boardSnapshot(
  sql: Sql,
  board: TypeVisibility & { terminalStates: string[]; terminalDays: number },
): Promise<{ sequence: number; cards: BoardCard[] }> {
  return sql.begin('isolation level repeatable read read only', async (tx) => {
    const [{ sequence }] = await tx`SELECT coalesce(max(sequence), 0) AS sequence FROM process_changes`;
    const rows = await tx`
      SELECT ${CARD_OF_ROW(tx)} AS card
      FROM processes p LEFT JOIN users u ON u.id = p.advisor_id
      WHERE p.process_type = ${board.process_type} ${visibilityCondition(tx, board.visibility, 'p')}
        AND (p.status <> ALL(${board.terminalStates}) OR p.updated_at > now() - make_interval(days => ${board.terminalDays}))
      ORDER BY p.status_entered_at, p.process_id`;
    return { sequence: sequence as number, cards: rows.map((r) => r.card as BoardCard) };
  });
}

/** The oldest change still in the log: a board that saw nothing since before it cannot be replayed. */
export async function oldestChangeSequence(db: Queryable): Promise<number | null> {
  const [row] = await db`SELECT min(sequence) AS sequence FROM process_changes`;
  return row.sequence as number | null;
}

/** The newest change's sequence; where a server node starts following the log. */
export async function latestChangeSequence(db: Queryable): Promise<number> {
  const [row] = await db`SELECT coalesce(max(sequence), 0) AS sequence FROM process_changes`;
  return row.sequence as number;
}

const CHANGE_COLUMNS = (db: Queryable) => db`
  c.sequence, c.process_type, c.process_id, c.version, c.client_user_id, c.advisor_id, c.prev_client_user_id, c.prev_advisor_id,
  c.office_id, c.team_id, c.prev_office_id, c.prev_team_id, c.card || jsonb_build_object('advisor_name', u.name) AS card`;

/** Changes after a sequence, in order: what a server node has not pushed yet. */
export async function changesAfter(db: Queryable, after: number, limit: number): Promise<StoredChange[]> {
  const rows = await db`
    SELECT ${CHANGE_COLUMNS(db)}
    FROM process_changes c LEFT JOIN users u ON u.id = c.advisor_id
    WHERE c.sequence > ${after}
    ORDER BY c.sequence
    LIMIT ${limit}`;
  return rows as unknown as StoredChange[];
}

/**
 * One board's changes after a sequence, in order, narrowed to those the person's visibility touches
 * (before or after the change). The gateway still asks the policy about each one.
 */
export async function boardChangesAfter(
  db: Queryable,
  board: TypeVisibility,
  after: number,
  limit: number,
): Promise<StoredChange[]> {
  const v = board.visibility;
  if ('none' in v) return [];
  const visible =
    'advisor_id' in v
      ? db`AND (c.advisor_id = ${v.advisor_id} OR c.prev_advisor_id = ${v.advisor_id})`
      : 'client_user_id' in v
        ? db`AND (c.client_user_id = ${v.client_user_id} OR c.prev_client_user_id = ${v.client_user_id})`
        : 'office_id' in v
          ? db`AND (c.office_id = ${v.office_id} OR c.prev_office_id = ${v.office_id})`
          : 'team_id' in v
            ? db`AND (c.team_id = ${v.team_id} OR c.prev_team_id = ${v.team_id})`
            : db``;
  const rows = await db`
    SELECT ${CHANGE_COLUMNS(db)}
    FROM process_changes c LEFT JOIN users u ON u.id = c.advisor_id
    WHERE c.process_type = ${board.process_type} AND c.sequence > ${after} ${visible}
    ORDER BY c.sequence
    LIMIT ${limit}`;
  return rows as unknown as StoredChange[];
}

export async function getBellNotification(db: Queryable, id: number) {
  const [row] = await db`
    SELECT id, user_id, kind, title, body, process_type, process_id, created_at, read_at FROM notifications WHERE id = ${id}`;
  return row as
    | {
        id: number;
        user_id: string;
        kind: string;
        title: string;
        body: string;
        process_type: string | null;
        process_id: string | null;
        created_at: string;
        read_at: string | null;
      }
    | undefined;
}

export interface SummaryQuery extends TypeVisibility {
  /** Start of "today" for the figures of the day. */
  since: string;
  /** How far back the medians look. */
  windowDays: number;
  /** The board's commands, counted when accepted since `since`. */
  commands: string[];
  states: { id: string; stage: string; terminal: boolean }[];
}

export interface RawSummary {
  per_state: Record<string, number>;
  sla: Record<string, number>;
  at_risk: BoardCard[];
  opened_since: number;
  entered_since: Record<string, number>;
  commands_since: Record<string, number>;
  median_ms_per_state: Record<string, { median_ms: number; samples: number }>;
  median_ms_per_stage: Record<string, { median_ms: number; samples: number }>;
}

const AT_RISK_LIMIT = 20;

/** The ops center's figures for one process type, all within what the person may see. */
export async function processSummary(db: Queryable, query: SummaryQuery): Promise<RawSummary> {
  const { process_type: type, visibility } = query;
  const vis = () => visibilityCondition(db, visibility, 'p');
  const stateIds = query.states.map((s) => s.id);
  const stageOf = query.states.map((s) => s.stage);
  const waiting = query.states.filter((s) => !s.terminal).map((s) => s.id);

  const [perState, sla, atRisk, opened, commands, history] = await Promise.all([
    db`SELECT status, count(*)::int AS n FROM processes p WHERE process_type = ${type} ${vis()} GROUP BY status`,
    db`SELECT sla ->> 'status' AS status, count(*)::int AS n FROM processes p WHERE process_type = ${type} AND sla IS NOT NULL ${vis()} GROUP BY 1`,
    db`
      SELECT ${CARD_OF_ROW(db)} AS card FROM processes p LEFT JOIN users u ON u.id = p.advisor_id
      WHERE p.process_type = ${type} AND p.sla ->> 'status' IN ('warning', 'breached') ${vis()}
      ORDER BY p.sla ->> 'deadline' LIMIT ${AT_RISK_LIMIT}`,
    db`SELECT count(*)::int AS n FROM processes p WHERE process_type = ${type} AND created_at >= ${query.since} ${vis()}`,
    db`
      SELECT a.action, count(*)::int AS n
      FROM audit_log a JOIN processes p ON p.process_id = a.process_id
      WHERE a.process_type = ${type} AND a.outcome = 'accepted' AND a.at >= ${query.since} AND a.action = ANY(${query.commands}) ${vis()}
      GROUP BY 1`,
    // Each process's path through its states from the audit trail: when it entered each, when it left.
    db`
      WITH recorded AS (
        SELECT a.id, a.process_id, a.status_after AS state, a.at,
               lag(a.status_after) OVER (PARTITION BY a.process_id ORDER BY a.at, a.id) AS state_before
        FROM audit_log a JOIN processes p ON p.process_id = a.process_id
        WHERE a.process_type = ${type} AND a.outcome = 'accepted' AND a.status_after IS NOT NULL
          AND p.updated_at > now() - make_interval(days => ${query.windowDays}) ${vis()}
      ),
      entries AS (
        SELECT process_id, state, at AS entered_at, lead(at) OVER (PARTITION BY process_id ORDER BY at, id) AS left_at
        FROM recorded WHERE state_before IS DISTINCT FROM state
      ),
      stage_of AS (SELECT * FROM unnest(${stateIds}::text[], ${stageOf}::text[]) AS m(state, stage)),
      timed AS (
        SELECT e.process_id, e.state, m.stage, e.left_at IS NOT NULL AS left_state,
               extract(epoch FROM e.left_at - e.entered_at) * 1000 AS ms
        FROM entries e JOIN stage_of m USING (state)
        WHERE e.state = ANY(${waiting})
      ),
      per_stage AS (
        SELECT process_id, stage, sum(ms) AS ms, bool_and(left_state) AS left_stage FROM timed GROUP BY 1, 2
      )
      SELECT 'state' AS kind, state AS name, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS median_ms, count(*)::int AS n
      FROM timed WHERE left_state GROUP BY state
      UNION ALL
      SELECT 'stage', stage, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms), count(*)::int
      FROM per_stage WHERE left_stage GROUP BY stage
      UNION ALL
      SELECT 'entered', state, NULL, count(*)::int FROM entries WHERE entered_at >= ${query.since} GROUP BY state`,
  ]);

  const counts = (rows: readonly Record<string, unknown>[], key: string) =>
    Object.fromEntries(rows.map((r) => [r[key] as string, r.n as number]));
  const of = (kind: string) => history.filter((m) => m.kind === kind);
  const medianOf = (kind: string) =>
    Object.fromEntries(
      of(kind).map((m) => [m.name as string, { median_ms: Math.round(Number(m.median_ms)), samples: m.n as number }]),
    );
  return {
    per_state: counts(perState, 'status'),
    sla: counts(sla, 'status'),
    at_risk: atRisk.map((r) => r.card as BoardCard),
    opened_since: opened[0].n as number,
    entered_since: counts(of('entered'), 'name'),
    commands_since: counts(commands, 'action'),
    median_ms_per_state: medianOf('state'),
    median_ms_per_stage: medianOf('stage'),
  };
}
