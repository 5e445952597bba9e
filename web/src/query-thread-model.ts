/**
 * The drawer's query threads as data: live changes applied in order and once, unread counts, mentions
 * in a body, and the @handle being typed. Pure: no DOM, unit-tested.
 */
import type { MentionRef, QueryChangedEvent, QueryThreadView } from '../../contracts/socket-events.js';

export type ChangeOutcome =
  /** The change was new and is now in the thread. */
  | 'applied'
  /** Already there (the load had it, or it came twice): nothing changed. */
  | 'duplicate'
  /** An earlier change is missing: load the threads again. */
  | 'gap';

const lastSequence = (query: QueryThreadView) => query.entries.at(-1)?.sequence ?? 0;

/**
 * Applies one `query:changed` to the threads. Each query's entries are numbered 1, 2, 3…, so a change
 * is applied only when it is the next one: older or repeated ones are dropped, and one that skips a
 * number says something was missed. `reading(queryId)` is whether the person has that thread in front
 * of them (then what others write is read at once).
 */
export function applyQueryChange(
  queries: readonly QueryThreadView[],
  event: QueryChangedEvent,
  me: string,
  reading: (queryId: string) => boolean,
): { queries: QueryThreadView[]; outcome: ChangeOutcome } {
  const index = queries.findIndex((q) => q.id === event.query.id);
  const unseen = event.entry.author.id !== me && !reading(event.query.id) ? 1 : 0;
  if (index === -1) {
    if (event.sequence !== 1) return { queries: [...queries], outcome: 'gap' };
    const opened: QueryThreadView = { ...event.query, entries: [event.entry], unread: unseen };
    return { queries: [...queries, opened], outcome: 'applied' };
  }
  const current = queries[index];
  const last = lastSequence(current);
  if (event.sequence <= last) return { queries: [...queries], outcome: 'duplicate' };
  if (event.sequence > last + 1) return { queries: [...queries], outcome: 'gap' };
  const updated: QueryThreadView = {
    ...current,
    // Pushes go out in commit order, so the query they carry is never older than what is shown.
    ...(event.query.sequence >= current.sequence ? event.query : {}),
    entries: [...current.entries, event.entry],
    unread: current.unread + unseen,
  };
  return { queries: queries.map((q, i) => (i === index ? updated : q)), outcome: 'applied' };
}

/** The caller read a thread up to `readSequence` (here or in another tab): entries after it by others stay unread. */
export function markThreadRead(
  queries: readonly QueryThreadView[],
  queryId: string,
  readSequence: number,
  me: string,
): QueryThreadView[] {
  return queries.map((q) =>
    q.id === queryId
      ? { ...q, unread: q.entries.filter((e) => e.sequence > readSequence && e.author.id !== me).length }
      : q,
  );
}

export const totalUnread = (queries: readonly QueryThreadView[]) => queries.reduce((sum, q) => sum + q.unread, 0);

export type BodySegment = { text: string; mention?: MentionRef };

/**
 * A body split into plain text and the mentions the hub resolved (`@alex.advisor`, or the whole address
 * `@sam@client.example`); handles that named nobody stay plain text, as they notified no one.
 */
export function mentionSegments(body: string, mentions: readonly MentionRef[]): BodySegment[] {
  if (mentions.length === 0) return body ? [{ text: body }] : [];
  const byHandle = new Map(mentions.map((m) => [m.handle.toLowerCase(), m]));
  const pattern = /(?<![\w.@])@([a-z0-9](?:[a-z0-9._+-]*[a-z0-9])?)(@[a-z0-9-]+(?:\.[a-z0-9-]+)+)?/gi;
  const segments: BodySegment[] = [];
  let at = 0;
  for (const match of body.matchAll(pattern)) {
    const person = byHandle.get(match[1].toLowerCase());
    if (!person) continue;
    if (match.index > at) segments.push({ text: body.slice(at, match.index) });
    segments.push({ text: match[0], mention: person });
    at = match.index + match[0].length;
  }
  if (at < body.length) segments.push({ text: body.slice(at) });
  return segments;
}

/** The @handle being typed just before the caret, if any: where it starts and what is typed so far. */
export function mentionAt(text: string, caret: number): { start: number; prefix: string } | null {
  const match = /(?<![\w.@])@([a-z0-9._+-]*)$/i.exec(text.slice(0, caret));
  return match ? { start: match.index, prefix: match[1].toLowerCase() } : null;
}

/** The people whose handle or name starts with what is typed, at most `limit`. */
export function mentionCandidates<P extends { handle: string; name: string }>(
  people: readonly P[],
  prefix: string,
  limit = 6,
): P[] {
  const lower = prefix.toLowerCase();
  return people
    .filter(
      (p) =>
        p.handle.toLowerCase().startsWith(lower) ||
        p.name
          .toLowerCase()
          .split(/\s+/)
          .some((word) => word.startsWith(lower)),
    )
    .slice(0, limit);
}
