import { HubError } from '../../workflows/errors.js';

/** Opaque paging cursors over (updated_at, process_id), newest first. */

export function encodeKeysetCursor(row: { updated_at: string; process_id: string }): string {
  return Buffer.from(JSON.stringify([row.updated_at, row.process_id])).toString('base64url');
}

export function decodeKeysetCursor(cursor: string): { updated_at: string; process_id: string } {
  try {
    const [updated_at, process_id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [unknown, unknown];
    if (typeof updated_at === 'string' && typeof process_id === 'string' && !Number.isNaN(Date.parse(updated_at)))
      return { updated_at, process_id };
  } catch {
    // not JSON: refused below
  }
  throw new HubError('VALIDATION_FAILED', 'cursor: not a cursor this API gave out', { field: 'cursor' });
}

/** The keyset bound of the page a cursor asks for: none for the first page. */
export function pageAfter(cursor: string | undefined) {
  return cursor ? decodeKeysetCursor(cursor) : undefined;
}

/** The cursor of the page after a full one, or null when this page is the last. */
export function nextCursor<T>(
  page: T[],
  limit: number,
  keyOf: (last: T) => { updated_at: string; process_id: string },
): string | null {
  const last = page.at(-1);
  return page.length === limit && last ? encodeKeysetCursor(keyOf(last)) : null;
}
