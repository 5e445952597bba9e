import { describe, expect, it } from 'vitest';
import type {
  MentionRef,
  QueryChangedEvent,
  QueryEntryView,
  QueryThreadView,
  QueryView,
} from '../../contracts/socket-events.js';
import { batchIds } from '../../web/src/query-summaries.js';
import {
  applyQueryChange,
  markThreadRead,
  mentionAt,
  mentionCandidates,
  mentionSegments,
  totalUnread,
} from '../../web/src/query-thread-model.js';
import { cursorPieces, presentPeople } from '../../web/src/presence.js';
import { mayCloseQuery } from '../../workflows/query-threads.js';

const carla = { id: 'usr_carla_compliance', name: 'Carla Compliance', role: 'compliance_officer' };
const alex = { id: 'usr_alex_advisor', name: 'Alex Advisor', role: 'advisor' };
const omar = { id: 'usr_omar_ops', name: 'Omar Ops', role: 'ops' };

const query: QueryView = {
  id: 'qry_1',
  process_id: 'app_1',
  process_type: 'account_opening',
  title: 'Source of funds',
  kind: 'question_to_advisor',
  status: 'open',
  assignee: alex,
  created_by: carla,
  sequence: 1,
  audience: 'internal',
  pauses_sla: true,
  waiting_on: 'advisor',
  created_at: '2026-11-20T10:00:00Z',
  updated_at: '2026-11-20T10:00:00Z',
  resolved_at: null,
  resolved_by: null,
};

const entry = (sequence: number, author = alex, kind: QueryEntryView['kind'] = 'replied'): QueryEntryView => ({
  sequence,
  kind,
  author,
  body: `entry ${sequence}`,
  mentions: [],
  created_at: `2026-11-20T10:0${sequence}:00Z`,
});

const thread = (entries: QueryEntryView[], unread = 0): QueryThreadView => ({
  ...query,
  sequence: entries.at(-1)!.sequence,
  entries,
  unread,
});

const change = (sequence: number, author = alex, overrides: Partial<QueryView> = {}): QueryChangedEvent => ({
  process_type: 'account_opening',
  process_id: 'app_1',
  change: sequence === 1 ? 'opened' : 'replied',
  sequence,
  query: { ...query, sequence, ...overrides },
  entry: entry(sequence, author, sequence === 1 ? 'opened' : 'replied'),
  summary: { process_id: 'app_1', open: 1, waiting_on: 'advisor' },
});

const notReading = () => false;

describe('query threads on the board: live changes in order, once', () => {
  it('appends the next entry, counts it unread for others, not for its author or whoever is reading it', () => {
    const start = [thread([entry(1, carla, 'opened')])];
    const asCarla = applyQueryChange(start, change(2, alex), carla.id, notReading);
    expect(asCarla.outcome).toBe('applied');
    expect(asCarla.queries[0].entries.map((e) => e.sequence)).toEqual([1, 2]);
    expect(asCarla.queries[0].unread).toBe(1);
    expect(asCarla.queries[0].sequence).toBe(2);
    expect(applyQueryChange(start, change(2, alex), alex.id, notReading).queries[0].unread).toBe(0);
    expect(applyQueryChange(start, change(2, alex), carla.id, () => true).queries[0].unread).toBe(0);
    // The original is left as it was.
    expect(start[0].entries).toHaveLength(1);
  });

  it('drops a change it already has, and asks for a reload when one is missing', () => {
    const start = [thread([entry(1, carla, 'opened'), entry(2)], 1)];
    const repeated = applyQueryChange(start, change(2), carla.id, notReading);
    expect(repeated.outcome).toBe('duplicate');
    expect(repeated.queries).toEqual(start);
    expect(applyQueryChange(start, change(1), carla.id, notReading).outcome).toBe('duplicate');
    expect(applyQueryChange(start, change(4), carla.id, notReading).outcome).toBe('gap');
    // A query never seen: its opening is enough, a later entry is not.
    expect(applyQueryChange([], change(3), carla.id, notReading).outcome).toBe('gap');
    const opened = applyQueryChange([], change(1, carla), alex.id, notReading);
    expect(opened.outcome).toBe('applied');
    expect(opened.queries).toEqual([{ ...query, entries: [entry(1, carla, 'opened')], unread: 1 }]);
  });

  it('applies a burst delivered in order exactly as the thread stored it, and takes the status from the change', () => {
    let queries = [thread([entry(1, carla, 'opened')])];
    for (const sequence of [2, 3, 3, 4, 2, 5]) {
      queries = applyQueryChange(
        queries,
        change(sequence, sequence % 2 ? carla : alex, sequence === 5 ? { status: 'resolved', waiting_on: null } : {}),
        omar.id,
        notReading,
      ).queries;
    }
    expect(queries[0].entries.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(queries[0]).toMatchObject({ status: 'resolved', waiting_on: null, unread: 4 });
    expect(totalUnread(queries)).toBe(4);
  });

  it('counts as unread only what others wrote after the read marker', () => {
    const queries = [thread([entry(1, carla, 'opened'), entry(2, alex), entry(3, carla), entry(4, alex)], 3)];
    expect(markThreadRead(queries, 'qry_1', 2, carla.id)[0].unread).toBe(1);
    expect(markThreadRead(queries, 'qry_1', 4, carla.id)[0].unread).toBe(0);
    expect(markThreadRead(queries, 'qry_1', 0, alex.id)[0].unread).toBe(2);
    expect(markThreadRead(queries, 'qry_other', 4, carla.id)).toEqual(queries);
  });

  it('offers resolve and reopen to the asker, compliance and admins only, as the API allows', () => {
    const asked = { created_by: alex.id };
    expect(mayCloseQuery(alex, asked)).toBe(true);
    expect(mayCloseQuery(carla, asked)).toBe(true);
    expect(mayCloseQuery({ id: 'usr_ada_admin', role: 'admin' }, asked)).toBe(true);
    expect(mayCloseQuery(omar, asked)).toBe(false);
    expect(mayCloseQuery({ id: 'usr_beth_advisor', role: 'advisor' }, asked)).toBe(false);
  });
});

describe('mentions in a query body', () => {
  const mentioned: MentionRef[] = [
    { ...alex, handle: 'alex.advisor' },
    { id: 'usr_sam', name: 'Sam', role: 'client', handle: 'sam' },
  ];

  it('marks the mentions the hub resolved and leaves other handles as text', () => {
    expect(
      mentionSegments('@alex.advisor can you ask @nobody and @sam@client.example? Thanks @alex.advisor.', mentioned),
    ).toEqual([
      { text: '@alex.advisor', mention: mentioned[0] },
      { text: ' can you ask @nobody and ' },
      { text: '@sam@client.example', mention: mentioned[1] },
      { text: '? Thanks ' },
      { text: '@alex.advisor', mention: mentioned[0] },
      { text: '.' },
    ]);
    expect(mentionSegments('mail me at x@alex.advisor', mentioned)).toEqual([{ text: 'mail me at x@alex.advisor' }]);
    expect(mentionSegments('no mentions', [])).toEqual([{ text: 'no mentions' }]);
  });

  it('finds the handle being typed and the people it may name', () => {
    expect(mentionAt('ask @al', 7)).toEqual({ start: 4, prefix: 'al' });
    expect(mentionAt('ask @', 5)).toEqual({ start: 4, prefix: '' });
    expect(mentionAt('ask @alex.advisor now', 21)).toBeNull();
    expect(mentionAt('mail x@al', 9)).toBeNull();
    const people = [
      { handle: 'alex.advisor', name: 'Alex Advisor' },
      { handle: 'ada.admin', name: 'Ada Admin' },
      { handle: 'carla.compliance', name: 'Carla Compliance' },
    ];
    expect(mentionCandidates(people, 'a').map((p) => p.handle)).toEqual(['alex.advisor', 'ada.admin']);
    expect(mentionCandidates(people, 'compl').map((p) => p.handle)).toEqual(['carla.compliance']);
    expect(mentionCandidates(people, '', 2)).toHaveLength(2);
  });
});

describe('the board asks for query summaries in batches', () => {
  it('keeps each request under the length the API takes, in order, none lost', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `app_${String(i).padStart(16, '0')}`);
    const batches = batchIds(ids, 2000);
    expect(batches.flat()).toEqual(ids);
    for (const batch of batches) expect(batch.join(',').length).toBeLessThanOrEqual(2000);
    expect(batches).toHaveLength(Math.ceil(1000 / Math.floor(2001 / 21)));
    expect(batchIds([])).toEqual([]);
  });
});

describe('presence in the notes', () => {
  it('lists each person once, yourself first, with a stable colour', () => {
    const states = new Map<number, Record<string, any>>([
      [11, { user: { id: 'usr_colin_compliance', name: 'Colin Compliance', role: 'compliance_officer' } }],
      [
        12,
        {
          user: { id: 'usr_carla_compliance', name: 'Carla Compliance', role: 'compliance_officer', color: '#123456' },
        },
      ],
      [13, { user: { id: 'usr_colin_compliance', name: 'Colin Compliance', role: 'compliance_officer' } }],
      [14, {}],
    ]);
    const people = presentPeople(states, 12, 'usr_carla_compliance');
    expect(people.map((p) => [p.id, p.self, p.color])).toEqual([
      ['usr_carla_compliance', true, '#123456'],
      ['usr_colin_compliance', false, people[1].color],
    ]);
    expect(presentPeople(new Map([[1, { user: { id: 'usr_colin_compliance', name: 'C' } }]]), 2, 'x')[0].color).toBe(
      people[1].color,
    );
  });

  it('cuts the text where others’ carets stand and their selections begin and end', () => {
    const colin = { id: 'usr_colin_compliance', name: 'Colin', color: '#2454d6' };
    const helen = { id: 'usr_helen_head', name: 'Helen', color: '#1f8a4c' };
    expect(
      cursorPieces(10, [
        { person: colin, anchor: 2, head: 5 },
        { person: helen, anchor: 8, head: 8 },
      ]),
    ).toEqual([
      { kind: 'text', from: 0, to: 2, selectedBy: null },
      { kind: 'text', from: 2, to: 5, selectedBy: colin },
      { kind: 'caret', at: 5, person: colin },
      { kind: 'text', from: 5, to: 8, selectedBy: null },
      { kind: 'caret', at: 8, person: helen },
      { kind: 'text', from: 8, to: 10, selectedBy: null },
    ]);
    expect(cursorPieces(0, [{ person: colin, anchor: 4, head: 4 }])).toEqual([{ kind: 'caret', at: 0, person: colin }]);
  });
});
