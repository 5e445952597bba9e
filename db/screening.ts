import type { ScreeningList } from '../workflows/client-onboarding/definitions.js';
import type { Queryable, Sql } from './client.js';

/** One name on a list: a sanctioned party of the SDN list (its listed name or an alias), or a politically exposed person. */
export interface ScreeningEntry {
  list: ScreeningList;
  entry_id: string;
  name: string;
  entry_type: string | null;
  program: string | null;
  /** For an alternate name: aka, fka or nka (as the SDN list's ALT file has it); null for the listed name. */
  alias_type: string | null;
}

export interface ListReplacement {
  list: ScreeningList;
  entries: readonly Omit<ScreeningEntry, 'list'>[];
  sourceFile: string;
}

/**
 * Replaces each list's entries as a whole, all lists in one transaction: readers see the old lists or the new ones,
 * and a failure leaves every list as it was.
 */
export async function replaceScreeningLists(
  sql: Sql,
  replacements: readonly ListReplacement[],
): Promise<{ list: ScreeningList; before: number; after: number }[]> {
  return sql.begin(async (tx) => {
    const counts = [];
    for (const { list, entries, sourceFile } of replacements) {
      await tx`SELECT pg_advisory_xact_lock(hashtext('screening list'), hashtext(${list}))`;
      const [{ count }] = await tx`SELECT count(*)::int AS count FROM screening_entries WHERE list = ${list}`;
      await tx`DELETE FROM screening_entries WHERE list = ${list}`;
      for (let i = 0; i < entries.length; i += 1000) {
        const rows = entries.slice(i, i + 1000).map((e) => ({ list, ...e, source_file: sourceFile }));
        await tx`INSERT INTO screening_entries ${tx(rows, 'list', 'entry_id', 'name', 'entry_type', 'program', 'alias_type', 'source_file')}
          ON CONFLICT DO NOTHING`;
      }
      counts.push({ list, before: count as number, after: entries.length });
    }
    return counts;
  });
}

/** Every name of every list, each party's listed name before its aliases, and when the newest was imported. */
export async function loadScreeningEntries(
  db: Queryable,
): Promise<{ entries: ScreeningEntry[]; lists_as_of: string | null }> {
  const entries = (await db`
    SELECT list, entry_id, name, entry_type, program, alias_type FROM screening_entries
    ORDER BY list, entry_id, alias_type NULLS FIRST, name`) as unknown as ScreeningEntry[];
  const [{ newest }] = await db`SELECT max(imported_at) AS newest FROM screening_entries`;
  return { entries, lists_as_of: newest ? new Date(newest).toISOString() : null };
}
