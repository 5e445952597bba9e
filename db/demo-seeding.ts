import type { Queryable } from './client.js';

export interface DemoSeeding {
  anchor: string;
  finished_at: string | null;
}

export async function getDemoSeeding(db: Queryable): Promise<DemoSeeding | undefined> {
  const [row] = await db`SELECT anchor, finished_at FROM demo_seeding`;
  return row
    ? {
        anchor: new Date(row.anchor as string).toISOString(),
        finished_at: row.finished_at ? new Date(row.finished_at as string).toISOString() : null,
      }
    : undefined;
}

/** The seeding under way, begun now unless one began before (whose timeline then holds). */
export async function beginDemoSeeding(db: Queryable, anchor: string): Promise<DemoSeeding> {
  await db`INSERT INTO demo_seeding (anchor) VALUES (${anchor}) ON CONFLICT (id) DO NOTHING`;
  return (await getDemoSeeding(db))!;
}

export async function finishDemoSeeding(db: Queryable): Promise<void> {
  await db`UPDATE demo_seeding SET finished_at = now() WHERE finished_at IS NULL`;
}

/** The actions accepted on a process so far, so a resumed seeding skips the steps already taken. */
export async function acceptedActions(db: Queryable, processId: string): Promise<Set<string>> {
  const rows = await db`SELECT DISTINCT action FROM audit_log WHERE process_id = ${processId} AND outcome = 'accepted'`;
  return new Set(rows.map((r) => r.action as string));
}
