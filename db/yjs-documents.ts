import * as Y from 'yjs';
import type { Queryable, Sql } from './client.js';

/**
 * Collaborative documents as Yjs stores them: a snapshot (every update merged and garbage-collected) plus
 * the incremental updates received since, in arrival order. Applying a Yjs update twice changes nothing,
 * so a reader never needs to know which updates a snapshot already holds.
 */

/** NOTIFY channel for each stored update: `{ document, id, node, data? }` (data: the update in base64 when it fits). */
export const YJS_UPDATE_CHANNEL = 'yjs_update';
/** NOTIFY channel after a compaction: `{ document, merged }`. */
export const YJS_COMPACTED_CHANNEL = 'yjs_compacted';

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; larger updates are fetched by id. */
const MAX_INLINE_UPDATE_BASE64 = 6000;

export interface YjsUpdateNotice {
  document: string;
  id: number;
  /** The server node that received the update from its author. */
  node: string;
  data?: string;
}

export interface YjsCompactedNotice {
  document: string;
  merged: number;
}

const bytes = (value: Uint8Array) => new Uint8Array(value.buffer, value.byteOffset, value.byteLength);

/** Stores one update (creating the document on its first) and announces it, in one transaction. */
export async function appendYjsUpdate(
  sql: Sql,
  document: string,
  update: Uint8Array,
  authorId: string,
  node: string,
): Promise<number> {
  return sql.begin(async (tx) => {
    await tx`INSERT INTO yjs_documents (name) VALUES (${document}) ON CONFLICT (name) DO NOTHING`;
    const [row] = await tx`
      INSERT INTO yjs_updates (document, update, author_id) VALUES (${document}, ${Buffer.from(update)}, ${authorId}) RETURNING id`;
    const data = Buffer.from(update).toString('base64');
    const notice: YjsUpdateNotice = {
      document,
      id: row.id as number,
      node,
      ...(data.length <= MAX_INLINE_UPDATE_BASE64 ? { data } : {}),
    };
    await tx`SELECT pg_notify(${YJS_UPDATE_CHANNEL}, ${JSON.stringify(notice)})`;
    return row.id as number;
  });
}

export async function getYjsUpdate(db: Queryable, id: number): Promise<Uint8Array | undefined> {
  const [row] = await db`SELECT update FROM yjs_updates WHERE id = ${id}`;
  return row ? bytes(row.update as Buffer) : undefined;
}

export interface StoredYjsDocument {
  snapshot: Uint8Array | null;
  updates: { id: number; update: Uint8Array }[];
}

/** The document as stored, or undefined if nobody has written to it yet. One statement, so it is one consistent view. */
export async function loadYjsDocument(db: Queryable, document: string): Promise<StoredYjsDocument | undefined> {
  const rows = await db`
    SELECT d.snapshot, u.id, u.update
    FROM yjs_documents d LEFT JOIN yjs_updates u ON u.document = d.name
    WHERE d.name = ${document}
    ORDER BY u.id`;
  if (rows.length === 0) return undefined;
  const snapshot = rows[0].snapshot as Buffer | null;
  return {
    snapshot: snapshot ? bytes(snapshot) : null,
    updates: rows.filter((r) => r.id !== null).map((r) => ({ id: r.id as number, update: bytes(r.update as Buffer) })),
  };
}

/** Applies what is stored to a document; an update that cannot be read is skipped (and reported) rather than losing the rest. */
export function applyStoredYjsDocument(
  doc: Y.Doc,
  stored: StoredYjsDocument,
  origin: unknown,
  onBadUpdate: (id: number | 'snapshot', error: unknown) => void,
): void {
  const parts: [number | 'snapshot', Uint8Array][] = [
    ...(stored.snapshot ? [['snapshot', stored.snapshot] as [number | 'snapshot', Uint8Array]] : []),
    ...stored.updates.map((u) => [u.id, u.update] as [number, Uint8Array]),
  ];
  for (const [id, update] of parts) {
    try {
      Y.applyUpdate(doc, update, origin);
    } catch (error) {
      onBadUpdate(id, error);
    }
  }
}

/**
 * Merges the snapshot and every stored update into a new snapshot and deletes the merged rows, in one
 * transaction. Updates arriving meanwhile are not touched (they stay as rows), so writers never wait on it.
 */
export async function compactYjsDocument(sql: Sql, document: string): Promise<{ merged: number }> {
  return sql.begin(async (tx) => {
    // NO KEY UPDATE: concurrent inserts of updates (whose foreign key takes KEY SHARE) go on.
    const [head] = await tx`SELECT snapshot FROM yjs_documents WHERE name = ${document} FOR NO KEY UPDATE`;
    if (!head) return { merged: 0 };
    const rows = await tx`SELECT id, update FROM yjs_updates WHERE document = ${document} ORDER BY id`;
    if (rows.length === 0) return { merged: 0 };
    const doc = new Y.Doc();
    try {
      applyStoredYjsDocument(
        doc,
        {
          snapshot: head.snapshot ? bytes(head.snapshot as Buffer) : null,
          updates: rows.map((r) => ({ id: r.id as number, update: bytes(r.update as Buffer) })),
        },
        null,
        (id, error) => {
          throw Object.assign(new Error(`update ${id} of ${document} cannot be read; compaction skipped`), {
            cause: error,
          });
        },
      );
      const snapshot = Y.encodeStateAsUpdate(doc);
      const ids = rows.map((r) => r.id as number);
      await tx`
        UPDATE yjs_documents SET snapshot = ${Buffer.from(snapshot)}, compacted_updates = compacted_updates + ${ids.length}, compacted_at = now()
        WHERE name = ${document}`;
      await tx`DELETE FROM yjs_updates WHERE id = ANY(${ids})`;
      const notice: YjsCompactedNotice = { document, merged: ids.length };
      await tx`SELECT pg_notify(${YJS_COMPACTED_CHANNEL}, ${JSON.stringify(notice)})`;
      return { merged: ids.length };
    } finally {
      doc.destroy();
    }
  });
}

export async function countYjsUpdates(db: Queryable, document: string): Promise<number> {
  const [row] = await db`SELECT count(*)::int AS n FROM yjs_updates WHERE document = ${document}`;
  return row.n as number;
}
