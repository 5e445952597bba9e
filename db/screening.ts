import type { ScreeningList } from '../workflows/client-onboarding/definitions.js';
import type { Queryable, Sql } from './client.js';

/** One name on a list: a sanctioned party of the SDN list, or a politically exposed person. */
export interface ScreeningEntry {
  list: ScreeningList;
  entry_id: string;
  name: string;
  entry_type: string | null;
  program: string | null;
}

/** Replaces one list's entries as a whole, in one transaction: readers see the old list or the new one. */
export async function replaceScreeningList(
  sql: Sql,
  list: ScreeningList,
  entries: readonly Omit<ScreeningEntry, 'list'>[],
  sourceFile: string,
): Promise<{ before: number; after: number }> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtext('screening list'), hashtext(${list}))`;
    const [{ count }] = await tx`SELECT count(*)::int AS count FROM screening_entries WHERE list = ${list}`;
    await tx`DELETE FROM screening_entries WHERE list = ${list}`;
    for (let i = 0; i < entries.length; i += 1000) {
      const rows = entries.slice(i, i + 1000).map((e) => ({ list, ...e, source_file: sourceFile }));
      await tx`INSERT INTO screening_entries ${tx(rows, 'list', 'entry_id', 'name', 'entry_type', 'program', 'source_file')}
        ON CONFLICT DO NOTHING`;
    }
    return { before: count as number, after: entries.length };
  });
}

/** Every entry of every list, and when the newest was imported. */
export async function loadScreeningEntries(
  db: Queryable,
): Promise<{ entries: ScreeningEntry[]; lists_as_of: string | null }> {
  const entries = (await db`
    SELECT list, entry_id, name, entry_type, program FROM screening_entries ORDER BY list, entry_id, name`) as unknown as ScreeningEntry[];
  const [{ newest }] = await db`SELECT max(imported_at) AS newest FROM screening_entries`;
  return { entries, lists_as_of: newest ? new Date(newest).toISOString() : null };
}
