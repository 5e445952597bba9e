import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubServer } from '../../server/start-server.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import {
  ALEX,
  CARLA,
  connectRecordingClient,
  followBoard,
  OMAR_OPS,
  type RecordingClient,
} from '../support/realtime-client.js';
import { openApplication, runStep } from '../support/account-opening.js';
import { eventually } from '../support/hub.js';
import { startTcpBalancer } from '../support/tcp-balancer.js';

/** A socket.io DISCONNECT of the main namespace ("41") in its own unmasked WebSocket text frame. */
const GOODBYE_FRAME = Buffer.from([0x81, 0x02, 0x34, 0x31]);
const portOf = (url: string) => Number(new URL(url).port);

describe('two server nodes on one PostgreSQL', () => {
  let hub: TestHub;
  let nodeB: HubServer;
  const clients: RecordingClient[] = [];
  const connect = async (url: string, email: string) => {
    const client = await connectRecordingClient(url, await hub.login(email));
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    hub = await startTestHub();
    nodeB = await hub.startNode('node-b');
  });
  afterAll(async () => {
    clients.forEach((c) => c.close());
    await nodeB?.stop();
    await hub?.stop();
  });

  it('delivers changes made through node A to a board on node B, each exactly once and in order', async () => {
    const onB = await connect(nodeB.url, OMAR_OPS);
    const onA = await connect(hub.url, OMAR_OPS);
    expect(await onB.subscribe('account_opening')).toMatchObject({ ok: true, mode: 'snapshot' });
    expect(await onA.subscribe('account_opening')).toMatchObject({ ok: true, mode: 'snapshot' });

    const advisor = await hub.login(ALEX); // a session is shared by every node: it lives in PostgreSQL
    const id = await openApplication(hub, advisor, 'cli_chris_carter'); // hub.api talks to node A
    for (const step of [0, 1, 2]) await runStep(hub, advisor, id, step);
    const logged = (await hub.sql`SELECT sequence FROM process_changes WHERE process_id = ${id} ORDER BY sequence`).map(
      (r) => r.sequence as number,
    );
    expect(logged).toHaveLength(4);

    for (const client of [onB, onA]) {
      await client.until(() => client.changes.filter((c) => c.process_id === id).length >= 4, 'all four changes');
      expect(client.changes.filter((c) => c.process_id === id).map((c) => c.sequence)).toEqual(logged);
    }
    expect(onB.changes.at(-1)).toMatchObject({ version: 4, card: { status: 'funding' } });

    // The next change is a barrier: a duplicate of the earlier ones would have arrived before it.
    await runStep(hub, advisor, id, 3);
    await onB.until(
      () => onB.changes.some((c) => c.process_id === id && c.card?.status === 'compliance_review'),
      'compliance review',
    );
    const sequences = onB.changes.map((c) => c.sequence);
    expect(new Set(sequences).size).toBe(sequences.length);
    expect([...sequences].sort((a, b) => a! - b!)).toEqual(sequences);
  });

  it('pushes a notification created by the worker to a bell connected to node B', async () => {
    const carlaOnB = await connect(nodeB.url, CARLA);
    const advisor = await hub.login(ALEX);
    const id = await openApplication(hub, advisor, 'cli_gabriel_garcia');
    for (const step of [0, 1, 2, 3]) await runStep(hub, advisor, id, step);
    await carlaOnB.until(
      () => carlaOnB.notifications.find((n) => n.process_id === id && n.kind === 'application_submitted'),
      'the bell on node B',
    );
    expect(carlaOnB.notifications.filter((n) => n.process_id === id)).toHaveLength(1);
  });

  it('forwards a room push from node A through the adapter to sockets on node B, once', async () => {
    const id = await openApplication(hub, await hub.login(ALEX), 'cli_chris_carter');
    const onB = await connect(nodeB.url, OMAR_OPS);
    const onA = await connect(hub.url, OMAR_OPS);
    expect(await onB.watch(id)).toMatchObject({ ok: true });
    expect(await onA.watch(id)).toMatchObject({ ok: true });

    for (const n of [1, 2]) {
      hub.server.realtime.toProcess(id).emit('process:activity', {
        process_type: 'account_opening',
        process_id: id,
        kind: 'test',
        at: new Date().toISOString(),
        data: { n },
      });
    }
    for (const client of [onB, onA]) {
      await client.until(() => client.activities.some((a) => a.data.n === 2), 'the second activity');
      expect(client.activities.map((a) => a.data.n)).toEqual([1, 2]);
    }
  });

  it("connects a board again when a stopping node's reconnect notice and goodbye arrive in one read", async () => {
    const stopping = await hub.startNode('node-c');
    const balancer = await startTcpBalancer([portOf(stopping.url), portOf(hub.url)]);
    let stopped: Promise<void> | undefined;
    try {
      const advisor = await hub.login(ALEX);
      const id = await openApplication(hub, advisor, 'cli_chris_carter');
      const board = followBoard(balancer.url, await hub.login(OMAR_OPS));
      await board.until(() => board.record.snapshots === 1, 'the first snapshot');
      expect(balancer.served.get(portOf(stopping.url))).toBe(1);

      // The node tells its sockets to reconnect, then says goodbye; a busy board reads both at once.
      const held = balancer.hold();
      stopped = stopping.stop();
      await eventually(async () => held.kept().includes(GOODBYE_FRAME), { what: "the node's goodbye" });
      await runStep(hub, advisor, id, 0);
      held.release();

      await board.until(() => board.record.versions.get(id) === 2, 'the change made while the board was away');
      expect(board.record.changes.find((c) => c.process_id === id && c.version === 2)).toMatchObject({
        replayed: true,
      });
      expect(board.record.snapshots, 'resumed from its cursor, no fresh snapshot').toBe(1);
      expect(board.record.reconnects).toBe(1);
      expect(board.client.connected).toBe(true);
      board.client.close();
    } finally {
      await (stopped ?? stopping.stop());
      await balancer.close();
    }
  });
});
