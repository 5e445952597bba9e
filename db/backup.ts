import { createReadStream, createWriteStream } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Queryable, Sql } from './client.js';

/**
 * A logical backup of the hub's own tables (schema public): every row, read in one repeatable-read
 * snapshot so that the files agree with each other (an audit row never without its process), one JSON line
 * per row. JSON keeps every value exact (numeric as its digits, bytea as hex, arrays and jsonb as they are).
 * The schema itself is the migrations', so a restore migrates a fresh database first.
 */

export interface DumpedTable {
  table: string;
  rows: number;
  file: string;
}

/** Tables whose rows the migrations write themselves, and the hub's own; pg-boss keeps its own schema. */
async function hubTables(db: Queryable): Promise<string[]> {
  const rows = await db`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY c.relname`;
  return rows.map((r) => r.name as string);
}

const quoted = (table: string) => `"public"."${table.replace(/"/g, '""')}"`;
const BATCH = 500;

export async function dumpHubTables(sql: Sql, dir: string): Promise<DumpedTable[]> {
  return sql.begin('isolation level repeatable read read only', async (tx) => {
    const dumped: DumpedTable[] = [];
    for (const table of await hubTables(tx)) {
      const file = `${table}.ndjson`;
      const out = createWriteStream(path.join(dir, file));
      const finished = once(out, 'finish');
      let rows = 0;
      await tx.unsafe(`SELECT row_to_json(t)::text AS line FROM ${quoted(table)} t`).cursor(BATCH, async (batch) => {
        rows += batch.length;
        if (!out.write(batch.map((r) => `${r.line as string}\n`).join(''))) await once(out, 'drain');
      });
      out.end();
      await finished;
      dumped.push({ table, rows, file });
    }
    return dumped;
  });
}

/**
 * Loads dumped tables into a freshly migrated database in one transaction: what the migrations seeded is
 * replaced, triggers stay quiet (the rows already hold what they would derive), sequences continue after
 * the restored rows.
 */
export async function loadHubTables(sql: Sql, dir: string, tables: DumpedTable[]): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`SET LOCAL session_replication_role = replica`;
    await tx.unsafe(`TRUNCATE ${tables.map((t) => quoted(t.table)).join(', ')}`);
    for (const { table, file } of tables) {
      const insert = (lines: string[]) =>
        tx.unsafe(
          `INSERT INTO ${quoted(table)} OVERRIDING SYSTEM VALUE
           SELECT * FROM json_populate_recordset(NULL::${quoted(table)}, $1::text::json)`,
          [`[${lines.join(',')}]`],
        );
      let lines: string[] = [];
      for await (const line of createInterface({
        input: createReadStream(path.join(dir, file)),
        crlfDelay: Infinity,
      })) {
        if (!line) continue;
        lines.push(line);
        if (lines.length === BATCH) {
          await insert(lines);
          lines = [];
        }
      }
      if (lines.length) await insert(lines);
    }
    const sequences = await tx`
      SELECT s.relname AS sequence, t.relname AS table, a.attname AS column
      FROM pg_class s JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')
      JOIN pg_class t ON t.oid = d.refobjid JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
      JOIN pg_namespace n ON n.oid = s.relnamespace
      WHERE s.relkind = 'S' AND n.nspname = 'public'`;
    for (const s of sequences) {
      await tx.unsafe(
        `SELECT setval('public."${s.sequence}"', coalesce((SELECT max("${s.column}") FROM ${quoted(s.table as string)}), 0) + 1, false)`,
      );
    }
  });
}

/** Rows per table, to say what a restore brought back. */
export async function countHubRows(sql: Sql): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await hubTables(sql)) {
    const [{ count }] = await sql.unsafe(`SELECT count(*)::int AS count FROM ${quoted(table)}`);
    counts[table] = count as number;
  }
  return counts;
}

/** The migrations a database has run, oldest first: a restore needs code that knows every one of them. */
export async function appliedMigrations(sql: Sql): Promise<string[]> {
  const rows = await sql`SELECT name FROM schema_migrations ORDER BY run_on, id`;
  return rows.map((r) => r.name as string);
}
