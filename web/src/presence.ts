/** Who is in a shared document, from its Yjs awareness states. Pure: no DOM, no Yjs, unit-tested. */

/** Distinct on white, readable as a caret and (faded) as a selection. */
const COLORS = ['#d1495b', '#2454d6', '#1f8a4c', '#b86e00', '#7b3fb5', '#00838f', '#c2185b', '#5d6d00'];

/** The same person gets the same colour in every browser. */
export function colorFor(userId: string): string {
  let hash = 0;
  for (let i = 0; i < userId.length; i++) hash = (hash * 31 + userId.charCodeAt(i)) >>> 0;
  return COLORS[hash % COLORS.length];
}

export interface PresentPerson {
  id: string;
  name: string;
  role: string;
  color: string;
  /** This browser tab is one of theirs. */
  self: boolean;
}

/** What a notes editor puts in its awareness state (the server stamps `user.id`, `name` and `role`). */
export interface NotesAwarenessState {
  user?: { id?: unknown; name?: unknown; role?: unknown; color?: unknown };
  cursor?: { anchor: unknown; head: unknown } | null;
}

const COLOR = /^#[0-9a-f]{6}$/i;

/** Everyone present once (several tabs of one person are one), yourself first, then by name. */
export function presentPeople(
  states: Iterable<[number, NotesAwarenessState]>,
  selfClientId: number,
  selfUserId: string,
): PresentPerson[] {
  const people = new Map<string, PresentPerson>();
  for (const [clientId, state] of states) {
    const user = state.user;
    if (!user || typeof user.id !== 'string') continue;
    const existing = people.get(user.id);
    const self = clientId === selfClientId || user.id === selfUserId;
    if (existing) {
      existing.self ||= self;
      continue;
    }
    people.set(user.id, {
      id: user.id,
      name: typeof user.name === 'string' ? user.name : user.id,
      role: typeof user.role === 'string' ? user.role : '',
      color: typeof user.color === 'string' && COLOR.test(user.color) ? user.color : colorFor(user.id),
      self,
    });
  }
  return [...people.values()].sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name));
}

/** Someone else's caret and selection in the text, as absolute positions. */
export interface RemoteCursor {
  person: Pick<PresentPerson, 'id' | 'name' | 'color'>;
  anchor: number;
  head: number;
}

export type CursorPiece =
  | { kind: 'text'; from: number; to: number; selectedBy: RemoteCursor['person'] | null }
  | { kind: 'caret'; at: number; person: RemoteCursor['person'] };

/**
 * The text cut where carets stand and selections begin and end, in order: what a mirror of the
 * textarea draws behind the text to show others' carets and selections. Positions outside the text
 * are clamped to it; where selections overlap, the first person's colour shows.
 */
export function cursorPieces(textLength: number, cursors: readonly RemoteCursor[]): CursorPiece[] {
  const clamp = (n: number) => Math.max(0, Math.min(textLength, n));
  const ranges = cursors.map((c) => ({
    person: c.person,
    from: clamp(Math.min(c.anchor, c.head)),
    to: clamp(Math.max(c.anchor, c.head)),
    head: clamp(c.head),
  }));
  const cuts = [...new Set([0, textLength, ...ranges.flatMap((r) => [r.from, r.to])])].sort((a, b) => a - b);
  const pieces: CursorPiece[] = [];
  for (let i = 0; i < cuts.length; i++) {
    const at = cuts[i];
    for (const range of ranges) if (range.head === at) pieces.push({ kind: 'caret', at, person: range.person });
    const next = cuts[i + 1];
    if (next === undefined || next === at) continue;
    const selected = ranges.find((r) => r.from <= at && r.to >= next && r.from < r.to);
    pieces.push({ kind: 'text', from: at, to: next, selectedBy: selected?.person ?? null });
  }
  return pieces;
}
