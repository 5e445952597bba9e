import { io as connectSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, waitForNotice, type TestHub } from '../support/hub.js';
import {
  ALEX,
  BETH,
  CARLA,
  connectRecordingClient,
  OMAR_OPS,
  type RecordingClient,
} from '../support/realtime-client.js';
import { openApplication, runStep } from '../support/account-opening.js';

const REPLAY_LIMIT = 3;

describe('realtime gateway', () => {
  let hub: TestHub;
  const clients: RecordingClient[] = [];
  const connect = async (email: string) => {
    const client = await connectRecordingClient(hub.url, await hub.login(email));
    clients.push(client);
    return client;
  };
  /** The change log as the database holds it, for comparing with what a client received. */
  const loggedChanges = async (after: number) =>
    (
      await hub.sql`SELECT sequence, process_id, version FROM process_changes WHERE sequence > ${after} ORDER BY sequence`
    ).map((r) => ({
      sequence: r.sequence as number,
      process_id: r.process_id as string,
      version: r.version as number,
    }));

  beforeAll(async () => {
    hub = await startTestHub({ env: { REALTIME_REPLAY_LIMIT: String(REPLAY_LIMIT) } });
  });
  afterAll(async () => {
    clients.forEach((c) => c.close());
    await hub?.stop();
  });

  it('refuses a socket without a token and one with an unknown token', async () => {
    for (const auth of [{}, { token: 'not-a-session' }]) {
      const socket = connectSocket(hub.url, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
      const refused = await new Promise<Error & { data?: { code: string } }>((resolve) =>
        socket.on('connect_error', resolve),
      );
      socket.close();
      expect(refused.message).toBe('UNAUTHENTICATED');
      expect(refused.data?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('refuses a board the person may not see and a process type that does not exist', async () => {
    const ops = await connect(OMAR_OPS);
    expect(await ops.subscribe('no_such_process')).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'No process type no_such_process' },
    });
    const invalid = await ops.socket.emitWithAck('board:subscribe', {
      process_type: 'account_opening',
      after: -4,
    } as never);
    expect(invalid).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });

  it("sends an advisor only their clients' changes, and keeps another advisor's process from them", async () => {
    const [alex, beth, ops] = [await connect(ALEX), await connect(BETH), await connect(OMAR_OPS)];
    for (const client of [alex, beth, ops])
      expect(await client.subscribe('account_opening')).toMatchObject({ ok: true, mode: 'snapshot' });
    const alexToken = await hub.login(ALEX);
    const bethToken = await hub.login(BETH);

    // Beth's change first: had Alex been sent it, it would reach him before his own later change.
    const fiona = await openApplication(hub, bethToken, 'cli_fiona_fischer');
    const chris = await openApplication(hub, alexToken, 'cli_chris_carter');
    await alex.until(() => alex.changes.find((c) => c.process_id === chris), "Alex's own application");
    await beth.until(() => beth.changes.find((c) => c.process_id === fiona), "Beth's own application");
    await ops.until(
      () => [fiona, chris].every((id) => ops.changes.some((c) => c.process_id === id)),
      'both applications on the ops board',
    );

    expect(alex.changes.map((c) => c.process_id)).toEqual([chris]);
    expect(beth.changes.map((c) => c.process_id)).toEqual([fiona]);
    expect(alex.changes[0]).toMatchObject({
      process_type: 'account_opening',
      version: 1,
      replayed: false,
      card: { status: 'draft', advisor_id: 'usr_alex_advisor', advisor_name: 'Alex Advisor', title: 'Chris Carter' },
    });
    const [logged] = await loggedChanges(0).then((rows) => rows.filter((r) => r.process_id === chris));
    expect(alex.changes[0].sequence).toBe(logged.sequence);

    expect(await alex.watch(fiona)).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: 'You may not view this process' },
    });
    expect(await alex.watch(chris)).toMatchObject({ ok: true, card: { process_id: chris } });

    const alexLater = await connect(ALEX);
    await alexLater.subscribe('account_opening');
    expect(alexLater.snapshots[0].cards.map((c) => c.process_id)).toEqual([chris]);
  });

  it('replays what a reconnecting board missed, in order and exactly once, then resumes live', async () => {
    const advisor = await hub.login(ALEX);
    const ops = await connect(OMAR_OPS);
    await ops.subscribe('account_opening');
    const first = await openApplication(hub, advisor, 'cli_gabriel_garcia');
    const seen = await ops.until(() => ops.changes.find((c) => c.process_id === first), 'the new application');
    ops.close();

    // Three changes while the board is away, across two processes.
    const second = await openApplication(hub, advisor, 'cli_chris_carter');
    await runStep(hub, advisor, first, 0);
    await runStep(hub, advisor, second, 0);
    const missed = await loggedChanges(seen.sequence!);
    expect(missed.map((m) => m.process_id)).toEqual([second, first, second]);

    const back = await connect(OMAR_OPS);
    const reply = await back.subscribe('account_opening', seen.sequence);
    expect(reply).toEqual({
      ok: true,
      process_type: 'account_opening',
      mode: 'replay',
      sequence: missed[2].sequence,
      replayed: 3,
    });
    expect(back.snapshots).toEqual([]);
    expect(back.changes.map((c) => ({ sequence: c.sequence, process_id: c.process_id, version: c.version }))).toEqual(
      missed,
    );
    expect(back.changes.every((c) => c.replayed)).toBe(true);

    await runStep(hub, advisor, first, 1);
    const live = await back.until(() => back.changes.find((c) => !c.replayed), 'the next live change');
    expect(live).toMatchObject({ process_id: first, card: { status: 'terms_review' } });
    const all = await loggedChanges(seen.sequence!);
    expect(back.changes.map((c) => c.sequence)).toEqual(all.map((c) => c.sequence));
  });

  it('sends a fresh snapshot to a board too far behind to replay', async () => {
    const logged = await loggedChanges(0);
    const cursor = logged.at(-(REPLAY_LIMIT + 2))!.sequence; // one more missed change than a replay carries
    const ops = await connect(OMAR_OPS);
    const reply = await ops.subscribe('account_opening', cursor);
    const latest = logged.at(-1)!.sequence;
    expect(reply).toEqual({
      ok: true,
      process_type: 'account_opening',
      mode: 'snapshot',
      sequence: latest,
      replayed: 0,
    });
    expect(ops.changes).toEqual([]);
    expect(ops.snapshots).toHaveLength(1);
    const [{ n }] = await hub.sql`SELECT count(*)::int AS n FROM processes WHERE process_type = 'account_opening'`;
    expect(ops.snapshots[0]).toMatchObject({
      process_type: 'account_opening',
      sequence: latest,
      reason: 'too_far_behind',
    });
    expect(ops.snapshots[0].cards).toHaveLength(n);
  });

  it('takes a reassigned process off the old advisor’s board and onto the new one', async () => {
    const [alex, beth] = [await connect(ALEX), await connect(BETH)];
    await alex.subscribe('account_opening');
    await beth.subscribe('account_opening');
    const id = await openApplication(hub, await hub.login(ALEX), 'cli_gabriel_garcia');
    await alex.until(() => alex.changes.find((c) => c.process_id === id), 'the new application');
    expect(await alex.watch(id)).toMatchObject({ ok: true });

    const admin = await hub.login('ada.admin@hub.example');
    const reassigned = await hub.api(admin, 'POST', `/applications/${id}/reassign`, {
      advisor_id: 'usr_beth_advisor',
      reason: 'Alex is on leave',
    });
    expect(reassigned.status).toBe(200);
    const removal = await alex.until(
      () => alex.changes.find((c) => c.process_id === id && c.version === 2),
      'the removal',
    );
    expect(removal.card).toBeNull();
    const arrival = await beth.until(() => beth.changes.find((c) => c.process_id === id), 'the arrival');
    expect(arrival).toMatchObject({
      version: 2,
      card: { advisor_id: 'usr_beth_advisor', advisor_name: 'Beth Advisor' },
    });
    expect(await alex.watch(id)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it("pushes a new notification to its person's bell and to nobody else", async () => {
    const [carla, alex] = [await connect(CARLA), await connect(ALEX)];
    const advisor = await hub.login(ALEX);
    const id = await openApplication(hub, advisor, 'cli_chris_carter');
    for (const step of [0, 1, 2, 3]) await runStep(hub, advisor, id, step);
    const bell = await carla.until(
      () => carla.notifications.find((n) => n.process_id === id && n.kind === 'application_submitted'),
      'the bell',
    );
    const [stored] =
      await hub.sql`SELECT id, title FROM notifications WHERE id = ${bell.id} AND user_id = 'usr_carla_compliance'`;
    expect(bell).toMatchObject({ id: stored.id, title: stored.title, process_type: 'account_opening', read_at: null });
    expect(bell).not.toHaveProperty('user_id');

    // Alex hears of the approval that came after; the submission was never his to hear about.
    expect((await hub.api(await hub.login(CARLA), 'POST', `/applications/${id}/approve`, {})).status).toBe(200);
    await alex.until(
      () => alex.notifications.find((n) => n.process_id === id && n.kind === 'application_approved'),
      "Alex's bell",
    );
    expect(alex.notifications.filter((n) => n.kind === 'application_submitted')).toEqual([]);
  });

  it('sends a snapshot to a board whose missed changes are no longer in the log', async () => {
    // An approval in the test before may still be turning into an account: let the log stand still first.
    await waitForNotice(hub.sql, 'process_changed', async () => {
      const [{ n }] = await hub.sql`SELECT count(*)::int AS n FROM processes WHERE status IN ('submitted', 'approved')`;
      return n === 0;
    });
    const logged = await loggedChanges(0);
    const cursor = logged.at(-REPLAY_LIMIT - 1)!.sequence; // few enough missed changes to replay…
    await hub.sql`DELETE FROM process_changes WHERE sequence <= ${logged.at(-REPLAY_LIMIT)!.sequence}`; // …had one not been pruned
    const ops = await connect(OMAR_OPS);
    expect(await ops.subscribe('account_opening', cursor)).toMatchObject({ ok: true, mode: 'snapshot', replayed: 0 });
    expect(ops.snapshots.map((s) => s.reason)).toEqual(['too_far_behind']);

    const intact = await connect(OMAR_OPS);
    expect(await intact.subscribe('account_opening', logged.at(-2)!.sequence)).toMatchObject({
      ok: true,
      mode: 'replay',
      replayed: 1,
    });
  });
});
