import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { countYjsUpdates } from '../../db/yjs-documents.js';
import { complianceNotesDocument } from '../../hub/compliance-notes.js';
import { startTestHub, waitForNotice, waitForStatus, type TestHub } from '../support/hub.js';
import { openNotesPeer, type NotesPeer } from '../support/notes-peer.js';
import { emitWithAck, connectHubSocket } from '../support/sockets.js';
import { applicationInReview } from '../support/account-opening.js';

describe('collaborative compliance notes over Socket.IO', () => {
  let hub: TestHub;
  let carla: string;
  let colin: string;
  let alex: string;
  let beth: string;
  let applicationId: string;
  const peers: NotesPeer[] = [];
  const open = async (token: string, id = applicationId, url = hub.url) => {
    const peer = await openNotesPeer(url, token, id);
    peers.push(peer);
    return peer;
  };
  const compactedUpdates = async () => {
    const [row] =
      await hub.sql`SELECT compacted_updates FROM yjs_documents WHERE name = ${complianceNotesDocument(applicationId)}`;
    return (row?.compacted_updates as number | undefined) ?? 0;
  };
  const closeAll = () => {
    for (const peer of peers.splice(0)) peer.close();
  };

  beforeAll(async () => {
    hub = await startTestHub();
    [carla, colin, alex, beth] = await Promise.all(
      [
        'carla.compliance@hub.example',
        'colin.compliance@hub.example',
        'alex.advisor@hub.example',
        'beth.advisor@hub.example',
      ].map((email) => hub.login(email)),
    );
    applicationId = await applicationInReview(hub, { advisor: alex });
  });
  afterEach(closeAll);
  afterAll(async () => {
    closeAll();
    await hub?.stop();
  });

  it('lets two officers edit concurrently and converges every peer to the same text', async () => {
    const [a, b, reader] = await Promise.all([open(carla), open(colin), open(alex)]);
    expect([a.writable, b.writable, reader.writable]).toEqual([true, true, false]);

    // Both type at the same position before either has seen the other's edit.
    a.text.insert(0, 'Source of funds verified against the sale contract. ');
    b.text.insert(0, 'PEP screening clear. ');
    a.text.insert(a.text.length, 'Carla.');
    b.text.insert(b.text.length, ' Colin.');

    const expectedLength =
      'Source of funds verified against the sale contract. '.length +
      'PEP screening clear. '.length +
      'Carla.'.length +
      ' Colin.'.length;
    const [textA, textB, textReader] = await Promise.all(
      [a, b, reader].map((peer) => peer.untilText((t) => t.length === expectedLength)),
    );
    expect(textB).toBe(textA);
    expect(textReader).toBe(textA);
    for (const part of [
      'Source of funds verified against the sale contract. ',
      'PEP screening clear. ',
      'Carla.',
      ' Colin.',
    ])
      expect(textA).toContain(part);

    // What the server stored is what everyone sees.
    const notes = await hub.api(carla, 'GET', `/applications/${applicationId}/compliance-notes`);
    expect(notes.status).toBe(200);
    expect(notes.body).toEqual({ application_id: applicationId, text: textA, writable: true });
  });

  it("refuses a read-only user's update on the server, and nobody else ever gets it", async () => {
    const [writer, otherWriter, reader] = await Promise.all([open(carla), open(colin), open(alex)]);
    const before = writer.text.toString();

    reader.text.insert(0, 'ADVISOR WAS HERE ');
    const [refusal] = await reader.refusals.until((r) => r.length === 1);
    expect(refusal).toEqual({
      doc: applicationId,
      code: 'FORBIDDEN',
      message: 'Only compliance officers and administrators may edit the compliance notes',
    });

    // A later edit from a writer reaches everyone; the refused one, sent earlier on the same server, never does.
    writer.text.insert(writer.text.length, ' [after]');
    await otherWriter.untilText((t) => t.endsWith(' [after]'));
    await writer.untilText((t) => t.endsWith(' [after]'));
    expect(otherWriter.text.toString()).toBe(`${before} [after]`);
    expect(writer.text.toString()).toBe(`${before} [after]`);
    const [{ n: byAdvisor }] =
      await hub.sql`SELECT count(*)::int AS n FROM yjs_updates WHERE author_id = 'usr_alex_advisor'`;
    expect(byAdvisor).toBe(0);
    expect((await hub.api(carla, 'GET', `/applications/${applicationId}/compliance-notes`)).body.text).toBe(
      `${before} [after]`,
    );

    // A newcomer gets the stored document, without the refused edit.
    const late = await open(colin);
    expect(late.text.toString()).toBe(`${before} [after]`);
  });

  it('refuses people who may not see the application, and unknown documents', async () => {
    await expect(open(beth)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(open(carla, 'app_doesnotexist')).rejects.toMatchObject({ code: 'APPLICATION_NOT_FOUND' });
    expect((await hub.api(beth, 'GET', `/applications/${applicationId}/compliance-notes`)).status).toBe(403);
    // The notes are the firm's internal working notes: the client sees the application, not them.
    const client = await hub.login('chris.carter@client.example');
    await expect(open(client)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await hub.api(client, 'GET', `/applications/${applicationId}`)).status).toBe(200);
    expect((await hub.api(client, 'GET', `/applications/${applicationId}/compliance-notes`)).status).toBe(403);

    const socket = await connectHubSocket(hub.url, carla);
    try {
      const refusals: unknown[] = [];
      socket.on('notes:refused', (r) => refusals.push(r));
      // Messages for a document the socket has not joined are refused, not applied.
      socket.emit('notes:message', { doc: applicationId, data: new Uint8Array([0, 2, 1, 0]) });
      expect(await emitWithAck(socket, 'notes:leave', { doc: applicationId })).toEqual({ ok: true });
      expect(refusals).toEqual([
        { doc: applicationId, code: 'FORBIDDEN', message: 'Open the notes with notes:join first' },
      ]);
    } finally {
      socket.close();
    }
  });

  it('shows who is present, as the server knows them, not as a client claims', async () => {
    const [a, b] = await Promise.all([open(carla), open(colin)]);
    a.awareness.setLocalState({
      user: { id: 'usr_ada_admin', name: 'Someone Else', color: '#e11d48' },
      cursor: { anchor: 3, head: 7 },
    });
    const states = await b.untilPresence((s) => [...s.values()].some((state) => state.cursor?.anchor === 3));
    const carlaState = [...states.values()].find((state) => state.cursor?.anchor === 3)!;
    expect(carlaState).toEqual({
      user: { id: 'usr_carla_compliance', name: 'Carla Compliance', role: 'compliance_officer', color: '#e11d48' },
      cursor: { anchor: 3, head: 7 },
    });

    // Leaving removes the presence for the others.
    a.close();
    await b.untilPresence((s) => ![...s.values()].some((state) => state.user?.id === 'usr_carla_compliance'));
  });

  it('keeps the document across a server restart and across compaction', async () => {
    const [writer, watcher] = await Promise.all([open(carla), open(alex)]);
    writer.text.insert(writer.text.length, ' Restart-proof.');
    // Every edit is stored before anyone else sees it, so once the watcher has it, the stored text is the text.
    const expected = await watcher.untilText((t) => t.endsWith(' Restart-proof.'));
    expect((await hub.api(carla, 'GET', `/applications/${applicationId}/compliance-notes`)).body.text).toBe(expected);
    expect(await countYjsUpdates(hub.sql, complianceNotesDocument(applicationId))).toBeGreaterThan(0);

    // The last editor leaving compacts the document in the background.
    const compacted = waitForNotice(
      hub.sql,
      'yjs_compacted',
      async () => (await countYjsUpdates(hub.sql, complianceNotesDocument(applicationId))) === 0,
    );
    closeAll();
    await compacted;
    const [head] =
      await hub.sql`SELECT snapshot IS NOT NULL AS has_snapshot, compacted_updates FROM yjs_documents WHERE name = ${complianceNotesDocument(applicationId)}`;
    expect(head.has_snapshot).toBe(true);
    expect(head.compacted_updates).toBeGreaterThan(0);

    await hub.restartServer();
    const again = await open(colin);
    expect(again.text.toString()).toBe(expected);
    const reader = await open(alex);
    expect(reader.text.toString()).toBe(expected);
  });

  it('compacts in the background while people keep typing, without losing a character', async () => {
    const [writer, watcher] = await Promise.all([open(carla), open(colin)]);
    const start = writer.text.toString();
    const compactedBefore = await compactedUpdates();
    // While both editors are still here, so it is the background compaction after 100 updates, not the one on leaving.
    const compacted = waitForNotice(
      hub.sql,
      'yjs_compacted',
      async () => (await compactedUpdates()) >= compactedBefore + 100,
    );
    const typed = Array.from({ length: 130 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    for (const char of typed) writer.text.insert(writer.text.length, char);
    await watcher.untilText((t) => t === start + typed);
    await compacted;
    expect((await hub.api(colin, 'GET', `/applications/${applicationId}/compliance-notes`)).body.text).toBe(
      start + typed,
    );
  });

  it('syncs between two server nodes, each client getting each update once', async () => {
    const second = await hub.startNode('second-node');
    try {
      const [onFirst, onSecond, readerOnSecond] = await Promise.all([
        open(carla),
        open(colin, applicationId, second.url),
        open(alex, applicationId, second.url),
      ]);
      expect(onSecond.text.toString()).toBe(onFirst.text.toString());
      let updatesOnSecond = 0;
      onSecond.socket.on('notes:message', ({ data }) => {
        const bytes = new Uint8Array(data as ArrayBuffer);
        if (bytes[0] === 0 && bytes[1] === 2) updatesOnSecond++;
      });

      onFirst.text.insert(0, '[node 1] ');
      await onSecond.untilText((t) => t.startsWith('[node 1] '));
      await readerOnSecond.untilText((t) => t.startsWith('[node 1] '));
      onSecond.text.insert(0, '[node 2] ');
      await onFirst.untilText((t) => t.startsWith('[node 2] [node 1] '));
      expect(updatesOnSecond).toBe(1);

      readerOnSecond.text.insert(0, 'NOPE ');
      await readerOnSecond.refusals.until((r) => r.length === 1);
      onSecond.text.insert(onSecond.text.length, ' [end]');
      await onFirst.untilText((t) => t.endsWith(' [end]'));
      expect(onFirst.text.toString()).not.toContain('NOPE');
    } finally {
      closeAll();
      await second.stop();
    }
  });

  it("keeps the notes' text with the approval in the audit trail", async () => {
    const [a, b] = await Promise.all([open(carla), open(colin)]);
    a.text.delete(0, a.text.length);
    await b.untilText((t) => t === '');
    a.text.insert(0, 'Funds traced to the house sale; ');
    b.text.insert(b.text.length, 'no adverse media.');
    const text = await a.untilText((t) => t.includes('no adverse media.') && t.includes('house sale'));
    await b.untilText((t) => t === text);

    const approved = await hub.api(carla, 'POST', `/applications/${applicationId}/approve`, { notes: 'Looks fine' });
    expect(approved.status).toBe(200);
    await waitForStatus(hub.sql, applicationId, 'account_created');
    const [row] =
      await hub.sql`SELECT details FROM audit_log WHERE process_id = ${applicationId} AND action = 'compliance_approve' AND outcome = 'accepted'`;
    expect(row.details).toMatchObject({ notes: 'Looks fine', compliance_notes: text });
    expect((await hub.api(carla, 'GET', `/applications/${applicationId}`)).body.compliance_notes).toBe(text);
  });
});
