import type { Queryable } from './client.js';

/** What a command met the first time it was sent with a key: its result, or the refusal it got. */
export type StoredOutcome<R> =
  { result: R } | { refusal: { code: string; message: string; details?: Record<string, unknown> } };

export async function findCommandOutcome<R>(db: Queryable, key: string): Promise<StoredOutcome<R> | null> {
  const [row] = await db`SELECT outcome FROM command_outcomes WHERE key = ${key}`;
  return row ? (row.outcome as StoredOutcome<R>) : null;
}

/** Keeps the first outcome under its key; a later one (a concurrent repeat) leaves it as it is. */
export async function keepCommandOutcome<R>(
  db: Queryable,
  entry: { key: string; process_id: string; command: string; actor_id: string; outcome: StoredOutcome<R> },
): Promise<void> {
  await db`
    INSERT INTO command_outcomes (key, process_id, command, actor_id, outcome)
    VALUES (${entry.key}, ${entry.process_id}, ${entry.command}, ${entry.actor_id}, ${db.json(entry.outcome as never)})
    ON CONFLICT (key) DO NOTHING`;
}
