import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../db/users.js';
import { endSessions } from '../../hub/sessions.js';
import type { HubServer } from '../../server/start-server.js';
import { LOGINS } from '../support/account-opening.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { connectHubSocket, emitWithAck, type HubSocket } from '../support/sockets.js';

/** Sessions end at once on every node: sign-out, expiry and deactivation close their sockets, and they cannot come back. */
describe('sessions across server nodes', () => {
  let hub: TestHub;
  let nodeB: HubServer;
  const sockets: HubSocket[] = [];

  const connect = async (url: string, token: string) => {
    const socket = await connectHubSocket(url, token);
    sockets.push(socket);
    return socket;
  };
  /** Resolves with what the server said when it closed the socket. */
  const ended = (socket: HubSocket) =>
    new Promise<{ reason: string; disconnect: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the socket was not disconnected')), 10_000);
      let reason = '';
      socket.once('hub:session_ended', (e) => (reason = e.reason));
      socket.once('disconnect', (why) => {
        clearTimeout(timer);
        resolve({ reason, disconnect: why });
      });
    });
  const refusedConnection = (url: string, token: string) =>
    connect(url, token).then(
      () => 'connected',
      (error: Error) => error.message,
    );

  beforeAll(async () => {
    hub = await startTestHub({ worker: false });
    nodeB = await hub.startNode('node-b');
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await nodeB?.stop();
    await hub?.stop();
  });

  it('signing out disconnects that session’s sockets on both nodes, and only them', async () => {
    const signedOut = await hub.login(LOGINS.ops);
    const other = await hub.login(LOGINS.ops);
    const onA = await connect(hub.url, signedOut);
    const onB = await connect(nodeB.url, signedOut);
    const otherOnB = await connect(nodeB.url, other);
    const endings = [ended(onA), ended(onB)];

    expect((await hub.api(signedOut, 'POST', '/auth/logout')).status).toBe(204);
    for (const ending of await Promise.all(endings))
      expect(ending).toEqual({ reason: 'signed_out', disconnect: 'io server disconnect' });

    expect(otherOnB.connected).toBe(true);
    expect(await emitWithAck(otherOnB, 'board:subscribe', { process_type: 'account_opening' })).toMatchObject({
      ok: true,
    });
    expect(await refusedConnection(nodeB.url, signedOut)).toBe('UNAUTHENTICATED');
    expect((await hub.api(signedOut, 'GET', '/me')).status).toBe(401);
  });

  it('deactivating a user ends every one of their sessions on every node', async () => {
    const first = await hub.login(LOGINS.beth);
    const second = await hub.login(LOGINS.beth);
    const endings = [ended(await connect(hub.url, first)), ended(await connect(nodeB.url, second))];
    await hub.sql`UPDATE users SET active = false WHERE id = 'usr_beth_advisor'`;
    expect(await endSessions(hub.sql, { user_id: 'usr_beth_advisor' })).toBe(2);
    await Promise.all(endings);
    expect(await refusedConnection(hub.url, first)).toBe('UNAUTHENTICATED');
    await hub.sql`UPDATE users SET active = true WHERE id = 'usr_beth_advisor'`;
  });

  it('an expiring session closes its socket when it runs out', async () => {
    const token = await hub.login(LOGINS.manager);
    await hub.sql`UPDATE sessions SET expires_at = now() + interval '1500 milliseconds' WHERE token_hash = ${hashToken(token)}`;
    const socket = await connect(nodeB.url, token);
    expect(await ended(socket)).toEqual({ reason: 'expired', disconnect: 'io server disconnect' });
    expect(await refusedConnection(nodeB.url, token)).toBe('UNAUTHENTICATED');
  });

  it('a socket whose session ended behind its node’s back cannot subscribe again', async () => {
    const token = await hub.login(LOGINS.carla);
    const socket = await connect(hub.url, token);
    const ending = ended(socket);
    // Deleted without the notice, as if this node had missed it while its LISTEN connection was down.
    await hub.sql`DELETE FROM sessions WHERE token_hash = ${hashToken(token)}`;
    expect(await emitWithAck(socket, 'board:subscribe', { process_type: 'account_opening' })).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    });
    await ending;
  });

  it('counts failed sign-ins across nodes: ten anywhere lock the e-mail on every node', async () => {
    const attempt = (url: string, password: string) =>
      fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: LOGINS.alex, password }),
      }).then((r) => r.status);
    for (let i = 0; i < 10; i += 1) expect(await attempt(i % 2 ? nodeB.url : hub.url, 'wrong password')).toBe(401);
    expect(await attempt(hub.url, 'demo-hub-2026')).toBe(429);
    expect(await attempt(nodeB.url, 'demo-hub-2026')).toBe(429);
  });
});
