import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryChangedEvent } from '../../contracts/socket-events.js';
import { applicationWorkflowId } from '../../workflows/account-opening/definitions.js';
import { applicationInReview, driveTo, FUNDING_BODY, openApplication } from '../support/account-opening.js';
import { startTestHub, waitForNotice, type TestHub } from '../support/hub.js';
import { connectHubSocket, emitWithAck, recordEvents, type HubSocket } from '../support/sockets.js';

describe('query threads on processes', () => {
  let hub: TestHub;
  let alex: string;
  let beth: string;
  let carla: string;
  let colin: string;
  let omar: string;
  let chris: string;
  let applicationId: string;
  const sockets: HubSocket[] = [];
  const socketFor = async (token: string) => {
    const socket = await connectHubSocket(hub.url, token);
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    hub = await startTestHub();
    [alex, beth, carla, colin, omar, chris] = await Promise.all(
      [
        'alex.advisor@hub.example',
        'beth.advisor@hub.example',
        'carla.compliance@hub.example',
        'colin.compliance@hub.example',
        'omar.ops@hub.example',
        'chris.carter@client.example',
      ].map((email) => hub.login(email)),
    );
    applicationId = await applicationInReview(hub, { advisor: alex });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await hub?.stop();
  });

  /** The slaPause signals the application's workflow has received, from its history. */
  async function slaPauseSignals(processId: string) {
    const history = await hub.server.deps.temporal.workflow.getHandle(applicationWorkflowId(processId)).fetchHistory();
    return (history.events ?? [])
      .map((event) => event.workflowExecutionSignaledEventAttributes)
      .filter((signal) => signal?.signalName === 'slaPause')
      .map(
        (signal) =>
          defaultPayloadConverter.fromPayload(signal!.input!.payloads![0]) as {
            key: string;
            active: boolean;
            reason: string;
          },
      );
  }

  async function notificationsOf(userId: string, kind: string) {
    return hub.sql`SELECT user_id, kind, title, body, process_id FROM notifications WHERE user_id = ${userId} AND kind = ${kind} ORDER BY id`;
  }

  describe('permissions and validation', () => {
    it('refuses people who may not see the process, the same as every other entry point, and audits the refusal', async () => {
      const listed = await hub.api(beth, 'GET', `/processes/${applicationId}/queries`);
      expect(listed.status).toBe(403);
      expect(listed.body.error.code).toBe('FORBIDDEN');

      const opened = await hub.api(beth, 'POST', `/processes/${applicationId}/queries`, {
        title: 'Hello',
        kind: 'operational_issue',
        assignee_id: 'usr_omar_ops',
        body: 'Let me in',
      });
      expect(opened.status).toBe(403);
      expect(opened.body.error.code).toBe('FORBIDDEN');
      const [refused] =
        await hub.sql`SELECT actor_id, outcome, error_code, channel FROM audit_log WHERE process_id = ${applicationId} AND action = 'open_query'`;
      expect(refused).toEqual({
        actor_id: 'usr_beth_advisor',
        outcome: 'refused',
        error_code: 'FORBIDDEN',
        channel: 'api',
      });

      expect((await hub.api(carla, 'GET', '/processes/app_nosuchprocess/queries')).body.error.code).toBe('NOT_FOUND');
      expect(
        (await hub.api(carla, 'POST', '/queries/qry_nosuchquery/replies', { body: 'anyone?' })).body.error.code,
      ).toBe('QUERY_NOT_FOUND');
      expect((await hub.api(null, 'GET', `/processes/${applicationId}/queries`)).status).toBe(401);

      const socket = await socketFor(beth);
      expect(await emitWithAck(socket, 'process:watch', { process_id: applicationId })).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      });
    });

    it('validates what a query needs, naming the field', async () => {
      const post = (body: unknown) => hub.api(carla, 'POST', `/processes/${applicationId}/queries`, body);
      const cases: [unknown, string | null][] = [
        [{ kind: 'document_request', assignee_id: 'usr_alex_advisor', body: 'x' }, 'title'],
        [{ title: 'T', kind: 'gossip', assignee_id: 'usr_alex_advisor', body: 'x' }, 'kind'],
        [{ title: 'T', kind: 'document_request', assignee_id: 'usr_alex_advisor', body: '   ' }, 'body'],
        [{ title: 'T', kind: 'document_request', assignee_id: 'usr_alex_advisor', body: 'x', priority: 'high' }, null],
        [{ title: 'T', kind: 'document_request', body: 'x' }, 'assignee_id'],
        [{ title: 'T', kind: 'document_request', assignee_id: 'usr_beth_advisor', body: 'x' }, 'assignee_id'],
        [{ title: 'T', kind: 'document_request', assignee_id: 'usr_nobody', body: 'x' }, 'assignee_id'],
        [{ title: 'T', kind: 'question_to_advisor', assignee_id: 'usr_colin_compliance', body: 'x' }, 'assignee_id'],
      ];
      for (const [body, field] of cases) {
        const response = await post(body);
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(response.body.error.code).toBe('VALIDATION_FAILED');
        if (field) expect(response.body.error.message.startsWith(`${field}:`), response.body.error.message).toBe(true);
      }
      expect(
        (await post({ title: 'T', kind: 'document_request', assignee_id: 'usr_beth_advisor', body: 'x' })).body.error
          .message,
      ).toBe('assignee_id: usr_beth_advisor is not a hub user who may see this process');
      const [{ n }] = await hub.sql`SELECT count(*)::int AS n FROM process_queries`;
      expect(n).toBe(0);
    });
  });

  describe('a question to the advisor during compliance review', () => {
    let queryId: string;

    it('opens with mentions resolved to people who may see the process, audits it, records the event and notifies', async () => {
      const opened = await hub.api(
        carla,
        'POST',
        `/processes/${applicationId}/queries`,
        {
          title: 'Source of funds',
          kind: 'question_to_advisor',
          body: '@alex.advisor please send the sale contract. cc @colin.compliance, @beth.advisor and @nobody.here; mail carla@hub.example',
        },
        { 'x-hub-channel': 'board' },
      );
      expect(opened.status).toBe(201);
      queryId = opened.body.id;
      expect(queryId).toMatch(/^qry_[a-z0-9]{16}$/);
      expect(opened.body).toMatchObject({
        process_id: applicationId,
        process_type: 'account_opening',
        title: 'Source of funds',
        kind: 'question_to_advisor',
        status: 'open',
        assignee: { id: 'usr_alex_advisor', name: 'Alex Advisor', role: 'advisor' },
        created_by: { id: 'usr_carla_compliance', name: 'Carla Compliance', role: 'compliance_officer' },
        sequence: 1,
        pauses_sla: true,
        waiting_on: 'advisor',
        resolved_at: null,
        resolved_by: null,
        unread: 0,
      });
      expect(opened.body.entries).toHaveLength(1);
      expect(opened.body.entries[0]).toMatchObject({
        sequence: 1,
        kind: 'opened',
        author: { id: 'usr_carla_compliance' },
      });
      expect(opened.body.entries[0].mentions).toEqual([
        { id: 'usr_alex_advisor', name: 'Alex Advisor', role: 'advisor', handle: 'alex.advisor' },
        {
          id: 'usr_colin_compliance',
          name: 'Colin Compliance',
          role: 'compliance_officer',
          handle: 'colin.compliance',
        },
      ]);

      const audit =
        await hub.sql`SELECT action, outcome, actor_id, channel, details FROM audit_log WHERE process_id = ${applicationId} AND action = 'open_query' AND outcome = 'accepted'`;
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        actor_id: 'usr_carla_compliance',
        channel: 'board',
        details: {
          query_id: queryId,
          sequence: 1,
          kind: 'question_to_advisor',
          assignee_id: 'usr_alex_advisor',
          pauses_sla: true,
          mentions: ['usr_alex_advisor', 'usr_colin_compliance'],
        },
      });

      const events = await hub.api(omar, 'GET', '/events?limit=1000');
      const opened$ = events.body.events.filter((e: { type: string }) => e.type === 'query.opened');
      expect(opened$).toHaveLength(1);
      expect(opened$[0]).toMatchObject({
        process_id: applicationId,
        payload: { query_id: queryId, by: 'usr_carla_compliance', sequence: 1, status: 'open' },
      });

      // The assignee hears of the assignment (not also of the mention); a mentioned colleague of the mention; Beth, who may not see it, of nothing.
      const [assigned] = await waitForNotice(hub.sql, 'notification_created', async () => {
        const rows = await notificationsOf('usr_alex_advisor', 'query_assigned');
        return rows.length ? rows : undefined;
      });
      expect(assigned).toMatchObject({
        process_id: applicationId,
        title: 'Carla Compliance asks you: Source of funds',
      });
      expect(assigned.body).toContain('@alex.advisor please send the sale contract.');
      const [mentioned] = await waitForNotice(hub.sql, 'notification_created', async () => {
        const rows = await notificationsOf('usr_colin_compliance', 'mention');
        return rows.length ? rows : undefined;
      });
      expect(mentioned.title).toBe('Carla Compliance mentioned you in "Source of funds"');
      expect(await notificationsOf('usr_alex_advisor', 'mention')).toHaveLength(0);
      const [{ n: toBeth }] =
        await hub.sql`SELECT count(*)::int AS n FROM notifications WHERE user_id = 'usr_beth_advisor'`;
      expect(toBeth).toBe(0);
    });

    it("pauses the application's SLA clock with a signal keyed by the query", async () => {
      await expect
        .poll(() => slaPauseSignals(applicationId), { timeout: 20_000 })
        .toEqual([{ key: queryId, active: true, reason: 'Waiting on the advisor: Source of funds', sequence: 1 }]);
      // The clock itself stands still: the read model and the API say so.
      const paused = await waitForNotice(hub.sql, 'process_changed', async () => {
        const [row] = await hub.sql`SELECT sla FROM processes WHERE process_id = ${applicationId}`;
        return row.sla?.paused ? row.sla : undefined;
      });
      expect(paused.status).toBe('paused');
      expect((await hub.api(carla, 'GET', `/applications/${applicationId}`)).body.sla).toMatchObject({
        status: 'paused',
        paused: true,
      });
    });

    it('pushes replies live, in order, to everyone viewing the process, to the assignee and to the asker', async () => {
      const viewer = await socketFor(omar);
      const assignee = await socketFor(alex);
      // Carla asked; her board is not on this process, but her cards' unread counts follow the answers.
      const asker = await socketFor(carla);
      const outsider = await socketFor(beth);
      expect(await emitWithAck(viewer, 'process:watch', { process_id: applicationId })).toMatchObject({ ok: true });
      const atViewer = recordEvents(viewer, 'query:changed');
      const atAssignee = recordEvents(assignee, 'query:changed');
      const atAsker = recordEvents(asker, 'query:changed');
      const atOutsider = recordEvents(outsider, 'query:changed');

      // Several people reply at once; each change gets the next sequence and is pushed in that order.
      const replies = await Promise.all(
        [alex, carla, alex, colin, alex, carla].map((token, i) =>
          hub.api(token, 'POST', `/queries/${queryId}/replies`, { body: `reply ${i}` }),
        ),
      );
      for (const reply of replies) expect(reply.status).toBe(201);
      const thread = await hub.api(omar, 'GET', `/queries/${queryId}`);
      const stored = thread.body.entries
        .slice(1)
        .map((e: { sequence: number; body: string; author: { id: string } }) => [e.sequence, e.body, e.author.id]);
      expect(stored.map(([sequence]: [number]) => sequence)).toEqual([2, 3, 4, 5, 6, 7]);

      for (const recorder of [atViewer, atAssignee, atAsker]) {
        const received = await recorder.until((r) => r.length === 6);
        expect(received.map((e: QueryChangedEvent) => [e.sequence, e.entry.body, e.entry.author.id])).toEqual(stored);
        expect(
          received.every(
            (e: QueryChangedEvent) =>
              e.change === 'replied' && e.process_id === applicationId && e.query.id === queryId,
          ),
        ).toBe(true);
        // `query` is the query as it stood when pushed: never older than the entry, never going back.
        const states = received.map((e: QueryChangedEvent) => e.query.sequence);
        received.forEach((e: QueryChangedEvent, i: number) =>
          expect(e.query.sequence).toBeGreaterThanOrEqual(Math.max(e.sequence, states[i - 1] ?? 0)),
        );
        expect(states.at(-1)).toBe(7);
        expect(received[5].summary).toEqual({ process_id: applicationId, open: 1, waiting_on: 'advisor' });
      }
      expect(atOutsider.received).toEqual([]);
    });

    it('counts unread entries per person, for the drawer and for the cards, and marks them read', async () => {
      const asOps = await hub.api(omar, 'GET', `/processes/${applicationId}/queries`);
      expect(asOps.status).toBe(200);
      expect(asOps.body.summary).toEqual({ process_id: applicationId, open: 1, unread: 7, waiting_on: 'advisor' });
      expect(asOps.body.queries.map((q: { id: string; unread: number }) => [q.id, q.unread])).toEqual([[queryId, 7]]);

      // Writing in a thread reads it up to there: unread is what others wrote after one's own last entry.
      const entries: { sequence: number; author: { id: string } }[] = asOps.body.queries[0].entries;
      const unreadFor = (userId: string) => {
        const lastOwn = Math.max(...entries.filter((e) => e.author.id === userId).map((e) => e.sequence));
        return entries.filter((e) => e.sequence > lastOwn && e.author.id !== userId).length;
      };
      const asAlex = await hub.api(alex, 'GET', `/processes/${applicationId}/queries`);
      expect(asAlex.body.queries[0].unread).toBe(unreadFor('usr_alex_advisor'));
      expect((await hub.api(carla, 'GET', '/queries/summary')).body).toEqual({
        processes: [
          { process_id: applicationId, open: 1, unread: unreadFor('usr_carla_compliance'), waiting_on: 'advisor' },
        ],
      });
      expect((await hub.api(beth, 'GET', '/queries/summary')).body).toEqual({ processes: [] });

      const opsSocket = await socketFor(omar);
      const reads = recordEvents(opsSocket, 'query:read');
      const partly = await hub.api(omar, 'POST', `/queries/${queryId}/read`, { sequence: 3 });
      expect(partly.body).toEqual({ query_id: queryId, read_sequence: 3, unread: 4 });
      const fully = await hub.api(omar, 'POST', `/queries/${queryId}/read`);
      expect(fully.body).toEqual({ query_id: queryId, read_sequence: 7, unread: 0 });
      // The marker never moves back.
      expect((await hub.api(omar, 'POST', `/queries/${queryId}/read`, { sequence: 1 })).body).toEqual({
        query_id: queryId,
        read_sequence: 7,
        unread: 0,
      });
      expect(await reads.until((r) => r.length === 3)).toEqual([
        { process_id: applicationId, query_id: queryId, read_sequence: 3 },
        { process_id: applicationId, query_id: queryId, read_sequence: 7 },
        { process_id: applicationId, query_id: queryId, read_sequence: 7 },
      ]);
      expect((await hub.api(omar, 'GET', `/queries/summary?process_ids=${applicationId}`)).body.processes).toEqual([
        { process_id: applicationId, open: 1, unread: 0, waiting_on: 'advisor' },
      ]);
      expect((await hub.api(omar, 'POST', `/queries/${queryId}/read`, { sequence: -1 })).body.error.code).toBe(
        'VALIDATION_FAILED',
      );
    });

    it('stores a retried reply once', async () => {
      const send = () =>
        hub.api(
          alex,
          'POST',
          `/queries/${queryId}/replies`,
          { body: 'Contract attached.' },
          { 'idempotency-key': 'reply-contract' },
        );
      // A client retrying while the first try is still in flight, and once more afterwards.
      const [first, concurrent] = await Promise.all([send(), send()]);
      const later = await send();
      for (const response of [first, concurrent, later]) expect(response.status).toBe(201);
      expect(later.body.entries.filter((e: { body: string }) => e.body === 'Contract attached.')).toHaveLength(1);
    });

    it('resolves (resuming the SLA clock), refuses a second resolve and replies, and reopens (pausing it again)', async () => {
      const viewer = await socketFor(colin);
      expect(await emitWithAck(viewer, 'process:watch', { process_id: applicationId })).toMatchObject({ ok: true });
      const changes = recordEvents(viewer, 'query:changed');

      const resolved = await hub.api(carla, 'POST', `/queries/${queryId}/resolve`, {
        note: 'Thanks @alex.advisor, that settles it.',
      });
      expect(resolved.status).toBe(200);
      expect(resolved.body).toMatchObject({
        status: 'resolved',
        pauses_sla: false,
        waiting_on: null,
        resolved_by: { id: 'usr_carla_compliance' },
      });
      expect(resolved.body.resolved_at).toEqual(expect.any(String));
      expect(resolved.body.entries.at(-1)).toMatchObject({
        kind: 'resolved',
        body: 'Thanks @alex.advisor, that settles it.',
      });
      await expect
        .poll(() => slaPauseSignals(applicationId), { timeout: 20_000 })
        .toEqual([
          {
            key: queryId,
            active: true,
            reason: 'Waiting on the advisor: Source of funds',
            sequence: expect.any(Number),
          },
          {
            key: queryId,
            active: false,
            reason: 'Waiting on the advisor: Source of funds',
            sequence: expect.any(Number),
          },
        ]);
      const resumed = await waitForNotice(hub.sql, 'process_changed', async () => {
        const [row] = await hub.sql`SELECT sla FROM processes WHERE process_id = ${applicationId}`;
        return row.sla && !row.sla.paused ? row.sla : undefined;
      });
      expect(resumed.paused_total_ms).toBeGreaterThan(0);

      const twice = await hub.api(carla, 'POST', `/queries/${queryId}/resolve`);
      expect(twice.status).toBe(409);
      expect(twice.body.error).toEqual({ code: 'QUERY_RESOLVED', message: 'This query is already resolved' });
      const late = await hub.api(alex, 'POST', `/queries/${queryId}/replies`, { body: 'One more thing' });
      expect(late.status).toBe(409);
      expect(late.body.error.code).toBe('QUERY_RESOLVED');
      const [refusedReply] = await hub.sql`
        SELECT outcome, error_code, details FROM audit_log WHERE action = 'reply_query' AND outcome = 'refused' AND error_code = 'QUERY_RESOLVED'`;
      expect(refusedReply).toMatchObject({ error_code: 'QUERY_RESOLVED', details: { query_id: queryId } });

      const reopened = await hub.api(colin, 'POST', `/queries/${queryId}/reopen`, {
        note: 'The contract is unsigned.',
      });
      expect(reopened.status).toBe(200);
      expect(reopened.body).toMatchObject({
        status: 'open',
        pauses_sla: true,
        waiting_on: 'advisor',
        resolved_at: null,
        resolved_by: null,
      });
      expect((await hub.api(colin, 'POST', `/queries/${queryId}/reopen`)).body.error.code).toBe('QUERY_ALREADY_OPEN');
      await expect
        .poll(async () => (await slaPauseSignals(applicationId)).map((s) => s.active), { timeout: 20_000 })
        .toEqual([true, false, true]);

      const received = await changes.until((r) => r.length === 2);
      expect(received.map((e) => [e.change, e.query.status, e.summary.waiting_on])).toEqual([
        ['resolved', 'resolved', null],
        ['reopened', 'open', 'advisor'],
      ]);
      expect(received[1].sequence).toBe(received[0].sequence + 1);

      const actions =
        await hub.sql`SELECT action FROM audit_log WHERE process_id = ${applicationId} AND action LIKE '%_query' AND outcome = 'accepted' ORDER BY id`;
      expect(actions.map((a) => a.action)).toEqual([
        'open_query',
        ...Array(7).fill('reply_query'),
        'resolve_query',
        'reopen_query',
      ]);
      const types = (await hub.api(carla, 'GET', `/applications/${applicationId}/events`)).body.events
        .map((e: { type: string }) => e.type)
        .filter((t: string) => t.startsWith('query.'));
      expect(types).toEqual(['query.opened', ...Array(7).fill('query.replied'), 'query.resolved', 'query.reopened']);

      const byTheAsked = await hub.api(alex, 'POST', `/queries/${queryId}/resolve`);
      expect(byTheAsked.status).toBe(403);
      expect(byTheAsked.body.error.message).toContain('Only the person who asked');
      expect((await hub.api(colin, 'POST', `/queries/${queryId}/resolve`)).status).toBe(200);
      await expect
        .poll(async () => (await slaPauseSignals(applicationId)).map((s) => s.active), { timeout: 20_000 })
        .toEqual([true, false, true, false]);
    });
  });

  describe('other kinds of queries', () => {
    it('names the people who may take part: whom a query may be assigned to and mention', async () => {
      const people = async (token: string, audience = '') =>
        (await hub.api(token, 'GET', `/processes/${applicationId}/people${audience}`)).body.people as {
          id: string;
          handle: string;
        }[];
      const expected = [
        { id: 'usr_ada_admin', name: 'Ada Admin', role: 'admin', handle: 'ada.admin' },
        { id: 'usr_alex_advisor', name: 'Alex Advisor', role: 'advisor', handle: 'alex.advisor' },
        {
          id: 'usr_carla_compliance',
          name: 'Carla Compliance',
          role: 'compliance_officer',
          handle: 'carla.compliance',
        },
        { id: 'usr_chris_client', name: 'Chris Carter', role: 'client', handle: 'chris.carter' },
        {
          id: 'usr_colin_compliance',
          name: 'Colin Compliance',
          role: 'compliance_officer',
          handle: 'colin.compliance',
        },
        {
          id: 'usr_helen_head',
          name: 'Helen Head (Head of Compliance)',
          role: 'compliance_officer',
          handle: 'helen.head',
        },
        { id: 'usr_maya_manager', name: 'Maya Manager', role: 'manager', handle: 'maya.manager' },
        { id: 'usr_omar_ops', name: 'Omar Ops', role: 'ops', handle: 'omar.ops' },
      ];
      // An internal thread (the default) is for staff: the client is not among them.
      expect(await people(carla)).toEqual(expected.filter((p) => p.role !== 'client'));
      expect(await people(carla, '?audience=client_facing')).toEqual(expected);
      // The client opens client-facing threads only, whatever they ask for; Beth, who may not see it, is refused.
      expect(await people(chris)).toEqual(expected);
      expect(await people(chris, '?audience=internal')).toEqual(expected);
      const refused = await hub.api(beth, 'GET', `/processes/${applicationId}/people`);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('FORBIDDEN');
      expect((await hub.api(carla, 'GET', '/processes/app_nope/people')).status).toBe(404);
    });

    it('needs an assignee, does not pause the SLA, and lets the client on the process take part', async () => {
      const opened = await hub.api(alex, 'POST', `/processes/${applicationId}/queries`, {
        title: 'Wire not received',
        kind: 'operational_issue',
        audience: 'client_facing',
        assignee_id: 'usr_omar_ops',
        body: 'The wire has not arrived; @omar.ops can you check with the bank?',
      });
      expect(opened.status).toBe(201);
      expect(opened.body).toMatchObject({
        kind: 'operational_issue',
        assignee: { id: 'usr_omar_ops' },
        pauses_sla: false,
        waiting_on: null,
      });
      expect(opened.body.entries[0].mentions).toEqual([
        { id: 'usr_omar_ops', name: 'Omar Ops', role: 'ops', handle: 'omar.ops' },
      ]);
      // Pauses travel as jobs written in the query's own transaction: none was written for this one.
      const [{ n: pauseJobs }] =
        await hub.sql`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'signal-sla-pause' AND data->>'key' = ${opened.body.id}`;
      expect(pauseJobs).toBe(0);

      // The client may see their own application, so they may see and answer its client-facing queries, and only those.
      const asClient = await hub.api(chris, 'GET', `/processes/${applicationId}/queries`);
      expect(asClient.status).toBe(200);
      expect(asClient.body.queries.map((q: { title: string }) => q.title)).toEqual(['Wire not received']);
      expect(
        (await hub.api(chris, 'POST', `/queries/${opened.body.id}/replies`, { body: 'I sent it on Monday.' })).status,
      ).toBe(201);

      const assigned = await waitForNotice(hub.sql, 'notification_created', async () => {
        const rows = await notificationsOf('usr_omar_ops', 'query_assigned');
        return rows.length ? rows : undefined;
      });
      expect(assigned.map((n) => n.title)).toEqual(['Alex Advisor asks you: Wire not received']);
      expect(await notificationsOf('usr_omar_ops', 'mention')).toHaveLength(0);
    });

    it('opens the same query once for a retried POST with an Idempotency-Key', async () => {
      const body = {
        title: 'Passport copy',
        kind: 'document_request',
        assignee_id: 'usr_alex_advisor',
        body: 'Please upload a passport copy.',
      };
      const send = () =>
        hub.api(colin, 'POST', `/processes/${applicationId}/queries`, body, { 'idempotency-key': 'passport-1' });
      const [first, concurrent] = await Promise.all([send(), send()]);
      const later = await send();
      for (const response of [first, concurrent, later]) expect(response.status).toBe(201);
      expect(new Set([first.body.id, concurrent.body.id, later.body.id]).size).toBe(1);
      expect((await hub.api(colin, 'GET', `/processes/${applicationId}/queries`)).body.queries).toHaveLength(3);
      const [{ n }] = await hub.sql`SELECT count(*)::int AS n FROM query_entries WHERE query_id = ${first.body.id}`;
      expect(n).toBe(1);
    });
  });

  describe('audiences: internal threads are the firm’s own', () => {
    let internalId: string;

    it('keeps an internal question from the client on every channel', async () => {
      const clientSocket = await socketFor(chris);
      expect(await emitWithAck(clientSocket, 'process:watch', { process_id: applicationId })).toMatchObject({
        ok: true,
      });
      const clientChanges = recordEvents(clientSocket, 'query:changed');
      const staffSocket = await socketFor(omar);
      expect(await emitWithAck(staffSocket, 'process:watch', { process_id: applicationId })).toMatchObject({
        ok: true,
      });
      const staffChanges = recordEvents(staffSocket, 'query:changed');
      const before = (await hub.api(chris, 'GET', `/queries/summary?process_ids=${applicationId}`)).body.processes;

      const opened = await hub.api(carla, 'POST', `/processes/${applicationId}/queries`, {
        title: 'Unusual inflow',
        kind: 'document_request',
        assignee_id: 'usr_alex_advisor',
        body: 'Where did this come from? @chris.carter must not learn of this.',
      });
      expect(opened.status).toBe(201);
      internalId = opened.body.id;
      expect(opened.body).toMatchObject({ audience: 'internal' });
      // The client is no one to mention in it: plain text, no notification.
      expect(opened.body.entries[0].mentions).toEqual([]);

      // A client-facing change after it is the barrier: the internal one would have arrived first.
      const open = await hub.api(carla, 'POST', `/processes/${applicationId}/queries`, {
        title: 'Your address',
        kind: 'document_request',
        audience: 'client_facing',
        assignee_id: 'usr_chris_client',
        body: 'Could you upload a utility bill?',
      });
      expect(open.status).toBe(201);
      await clientChanges.until((events) => events.some((e) => e.query.id === open.body.id));
      await staffChanges.until((events) => events.some((e) => e.query.id === open.body.id));
      expect(clientChanges.received.map((e) => e.query.title)).toEqual(['Your address']);
      expect(staffChanges.received.map((e) => e.query.title)).toEqual(['Unusual inflow', 'Your address']);
      const pushedSummary = clientChanges.received[0].summary;
      expect(pushedSummary.open).toBe((before[0]?.open ?? 0) + 1);

      expect((await hub.api(chris, 'GET', `/queries/${internalId}`)).body.error.code).toBe('QUERY_NOT_FOUND');
      const reply = await hub.api(chris, 'POST', `/queries/${internalId}/replies`, { body: 'let me in' });
      expect(reply.body.error.code).toBe('QUERY_NOT_FOUND');
      const [refused] = await hub.sql`
        SELECT actor_id FROM audit_log WHERE action = 'reply_query' AND outcome = 'refused' AND details ->> 'query_id' = ${internalId}`;
      expect(refused).toEqual({ actor_id: 'usr_chris_client' });
      expect((await hub.api(chris, 'POST', `/queries/${internalId}/read`, {})).body.error.code).toBe('QUERY_NOT_FOUND');
      const listed = (await hub.api(chris, 'GET', `/processes/${applicationId}/queries`)).body.queries.map(
        (q: { title: string }) => q.title,
      );
      expect(listed).not.toContain('Unusual inflow');
      expect(listed).toContain('Your address');
      expect((await hub.api(chris, 'GET', `/queries/summary?process_ids=${applicationId}`)).body.processes).toEqual(
        [pushedSummary].map((s) => ({ ...s, unread: 1 })),
      );
      const feed = (await hub.api(chris, 'GET', '/events?limit=1000')).body.events as {
        type: string;
        payload: { title?: string };
      }[];
      expect(feed.filter((e) => e.type.startsWith('query.')).map((e) => e.payload.title)).not.toContain(
        'Unusual inflow',
      );
      expect(feed.filter((e) => e.type.startsWith('query.')).map((e) => e.payload.title)).toContain('Your address');
      const staffFeed = (await hub.api(carla, 'GET', '/events?limit=1000')).body.events as {
        payload: { title?: string };
      }[];
      expect(staffFeed.map((e) => e.payload.title)).toContain('Unusual inflow');
      expect(await notificationsOf('usr_chris_client', 'mention')).toEqual([]);
    });

    it('refuses a client opening an internal query and an internal query assigned to a client', async () => {
      const asClient = await hub.api(chris, 'POST', `/processes/${applicationId}/queries`, {
        title: 'Mine',
        kind: 'operational_issue',
        audience: 'internal',
        assignee_id: 'usr_alex_advisor',
        body: 'Hello',
      });
      expect(asClient.status).toBe(403);
      expect(asClient.body.error.details).toEqual({ field: 'audience' });
      const toClient = await hub.api(carla, 'POST', `/processes/${applicationId}/queries`, {
        title: 'For the client',
        kind: 'document_request',
        assignee_id: 'usr_chris_client',
        body: 'Internal, to the client',
      });
      expect(toClient.status).toBe(400);
      expect(toClient.body.error.details).toEqual({ field: 'assignee_id' });
      // A client's own query is client-facing without saying so.
      const own = await hub.api(chris, 'POST', `/processes/${applicationId}/queries`, {
        title: 'A question',
        kind: 'operational_issue',
        assignee_id: 'usr_alex_advisor',
        body: 'When is my account open?',
      });
      expect(own.status).toBe(201);
      expect(own.body.audience).toBe('client_facing');
    });
  });

  describe('SLA clocks a question holds', () => {
    it('pauses the compliance review clock from its start when the question was opened during funding', async () => {
      const id = await openApplication(hub, alex);
      await driveTo(hub, alex, id, 'funding');
      const asked = await hub.api(carla, 'POST', `/processes/${id}/queries`, {
        title: 'Inheritance papers',
        kind: 'question_to_advisor',
        body: 'Is the inheritance documented?',
      });
      expect(asked.status).toBe(201);
      expect(asked.body).toMatchObject({ pauses_sla: true, waiting_on: 'advisor' });
      // The pause reaches the workflow while it is still in funding, before any clock runs.
      await expect
        .poll(() => slaPauseSignals(id), { timeout: 20_000 })
        .toEqual([
          {
            key: asked.body.id,
            active: true,
            reason: 'Waiting on the advisor: Inheritance papers',
            sequence: expect.any(Number),
          },
        ]);
      expect((await hub.api(alex, 'POST', `/applications/${id}/funding`, FUNDING_BODY)).status).toBe(200);
      const paused = await waitForNotice(hub.sql, 'process_changed', async () => {
        const [row] = await hub.sql`SELECT status, sla FROM processes WHERE process_id = ${id}`;
        return row.status === 'compliance_review' && row.sla?.paused ? row.sla : undefined;
      });
      expect(paused).toMatchObject({ state: 'compliance_review', paused: true });

      expect((await hub.api(carla, 'POST', `/queries/${asked.body.id}/resolve`)).status).toBe(200);
      const running = await waitForNotice(hub.sql, 'process_changed', async () => {
        const [row] = await hub.sql`SELECT sla FROM processes WHERE process_id = ${id}`;
        return row.sla && !row.sla.paused ? row.sla : undefined;
      });
      expect(running.paused_total_ms).toBeGreaterThan(0);
    });
  });
});
