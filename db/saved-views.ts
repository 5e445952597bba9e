import type { Queryable } from './client.js';

/** A board's filters under a name, as the board stores and reads them. */
export interface SavedView {
  id: string;
  owner_id: string;
  owner_name: string;
  owner_role: string;
  name: string;
  process_type: string;
  filters: Record<string, unknown>;
  /** The role this view is offered to as its team's; null for the owner's own. */
  team_role: string | null;
  created_at: string;
  updated_at: string;
}

export type SavedViewFields = Pick<SavedView, 'name' | 'process_type' | 'filters' | 'team_role'>;

const COLUMNS = (db: Queryable) => db`
  v.id, v.owner_id, u.name AS owner_name, u.role AS owner_role, v.name, v.process_type, v.filters, v.team_role,
  to_json(v.created_at) #>> '{}' AS created_at, to_json(v.updated_at) #>> '{}' AS updated_at`;

export async function getSavedView(db: Queryable, id: string): Promise<SavedView | undefined> {
  const [row] = await db`SELECT ${COLUMNS(db)} FROM saved_views v JOIN users u ON u.id = v.owner_id WHERE v.id = ${id}`;
  return row as SavedView | undefined;
}

/** The person's own views and their role's team views, by name. */
export async function listSavedViews(
  db: Queryable,
  person: { user_id: string; role: string },
  processType?: string,
): Promise<SavedView[]> {
  const rows = await db`
    SELECT ${COLUMNS(db)} FROM saved_views v JOIN users u ON u.id = v.owner_id
    WHERE (v.owner_id = ${person.user_id} OR v.team_role = ${person.role})
      ${processType ? db`AND v.process_type = ${processType}` : db``}
    ORDER BY lower(v.name), v.id`;
  return rows as unknown as SavedView[];
}

export async function insertSavedView(
  db: Queryable,
  view: SavedViewFields & { id: string; owner_id: string },
): Promise<void> {
  await db`INSERT INTO saved_views ${db({ ...view, filters: db.json(view.filters as never) })}`;
}

export async function updateSavedView(db: Queryable, id: string, fields: Partial<SavedViewFields>): Promise<void> {
  const given = Object.entries(fields).filter(([, value]) => value !== undefined);
  const changed = Object.fromEntries(
    given.map(([key, value]) => [key, key === 'filters' ? db.json(value as never) : value]),
  );
  await db`UPDATE saved_views SET ${db(changed)}, updated_at = now() WHERE id = ${id}`;
}

export async function deleteSavedView(db: Queryable, id: string): Promise<void> {
  await db`DELETE FROM saved_views WHERE id = ${id}`;
}
