import { randomBytes } from 'node:crypto';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { z } from 'zod';
import { getProcess } from '../../db/processes.js';
import {
  appendYjsUpdate,
  applyStoredYjsDocument,
  compactYjsDocument,
  getYjsUpdate,
  loadYjsDocument,
  YJS_UPDATE_CHANNEL,
  type YjsUpdateNotice,
} from '../../db/yjs-documents.js';
import type { HubDeps } from '../../hub/context.js';
import {
  complianceNotesDocument,
  isApplication,
  mayReadComplianceNotes,
  mayWriteComplianceNotes,
} from '../../hub/compliance-notes.js';
import type { Socket } from 'socket.io';
import type {
  ClientToServerEvents,
  NotesJoinAck,
  RealtimeAck,
  RealtimeUser,
  ServerToClientEvents,
  SocketData,
} from '../../contracts/socket-events.js';
import type { HubIo } from './hub-io.js';
import { answer, parseNotice, refusal } from './query-threads.js';

/** y-protocols message types, as y-websocket numbers them. */
const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
/** NOTIFY channel relaying presence and cursors between server nodes: `{ document, node, data }`. */
const AWARENESS_CHANNEL = 'yjs_awareness';
/** Stored updates after which this node compacts a document in the background. */
const COMPACT_AFTER_UPDATES = 100;

const NotesRequest = z.object({ doc: z.string().min(1).max(100) });
type HubSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export const notesRoom = (applicationId: string) => `notes:${applicationId}`;

/** The origin of a change that came from another server node (or the database), not from a socket here. */
const REMOTE = Symbol('remote');
type Origin = { socketId: string } | typeof REMOTE;

interface OpenNotes {
  applicationId: string;
  name: string;
  doc: Y.Doc;
  awareness: awarenessProtocol.Awareness;
  /** Local sockets with the document open, and the awareness client ids each of them controls. */
  members: Map<string, Set<number>>;
  loaded: Promise<void>;
  /** Writes from this node, one after another. */
  writes: Promise<void>;
  storedSinceCompaction: number;
}

function syncMessage(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

function awarenessMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

function binary(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return undefined;
}

/** Whether a Yjs update carries nothing (a read-only peer answering sync step 1 with no edits of its own). */
function isEmptyUpdate(update: Uint8Array): boolean {
  const { structs, ds } = Y.decodeUpdate(update);
  return structs.length === 0 && ds.clients.size === 0;
}

/**
 * Rewrites a client's awareness update so presence cannot be forged: each state's `user` is the
 * authenticated person (a client may add its own fields, such as a colour), and a client may speak only
 * for awareness ids no other socket controls. Returns the ids it speaks for and the rewritten update.
 */
function stampAwarenessUpdate(
  update: Uint8Array,
  user: RealtimeUser,
  mayControl: (clientId: number) => boolean,
): { update: Uint8Array; clients: number[] } {
  const decoder = decoding.createDecoder(update);
  const encoder = encoding.createEncoder();
  const entries: { clientId: number; clock: number; state: string }[] = [];
  const count = decoding.readVarUint(decoder);
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    const state = JSON.parse(decoding.readVarString(decoder)) as Record<string, unknown> | null;
    if (!mayControl(clientId)) continue;
    const ownUser =
      state && typeof state.user === 'object' && state.user !== null ? (state.user as Record<string, unknown>) : {};
    const stamped =
      state === null ? null : { ...state, user: { ...ownUser, id: user.id, name: user.name, role: user.role } };
    entries.push({ clientId, clock, state: JSON.stringify(stamped) });
  }
  encoding.writeVarUint(encoder, entries.length);
  for (const entry of entries) {
    encoding.writeVarUint(encoder, entry.clientId);
    encoding.writeVarUint(encoder, entry.clock);
    encoding.writeVarString(encoder, entry.state);
  }
  return { update: encoding.toUint8Array(encoder), clients: entries.map((e) => e.clientId) };
}

/**
 * Collaborative compliance notes over Socket.IO with the Yjs sync and awareness protocols (y-protocols).
 * Each node keeps the open documents in memory; an update from a compliance officer or admin is stored
 * first, then applied and relayed to the room `notes:<application_id>`; anyone else's update is refused
 * and reaches no one. Other nodes learn of stored updates through `yjs_update` and relay them to their
 * own sockets (io.local), so each socket gets each update once.
 */
export function registerComplianceNotes(io: HubIo, deps: Pick<HubDeps, 'sql' | 'log'>): void {
  const { sql, log } = deps;
  const node = randomBytes(6).toString('hex');
  const documents = new Map<string, OpenNotes>();
  const compacting = new Set<string>();

  const logBadUpdate = (document: string) => (id: number | 'snapshot', error: unknown) =>
    log.error({ err: error, document, update: id }, 'a stored notes update cannot be read');

  function compactInBackground(notes: Pick<OpenNotes, 'name'>) {
    if (compacting.has(notes.name)) return;
    compacting.add(notes.name);
    compactYjsDocument(sql, notes.name)
      .then(({ merged }) => log.debug({ document: notes.name, merged }, 'notes compacted'))
      .catch((error: Error & { code?: string }) => {
        // Closing sockets at shutdown may start a compaction just as the pool ends; the next one catches up.
        if (error.code === 'CONNECTION_ENDED' || error.code === 'CONNECTION_DESTROYED')
          log.debug({ err: error }, 'notes compaction interrupted');
        else log.error({ err: error, document: notes.name }, 'notes compaction failed');
      })
      .finally(() => compacting.delete(notes.name));
  }

  function openNotes(applicationId: string): OpenNotes {
    const existing = documents.get(applicationId);
    if (existing) return existing;
    const name = complianceNotesDocument(applicationId);
    const doc = new Y.Doc();
    const awareness = new awarenessProtocol.Awareness(doc);
    // The server is not a participant: it relays presence, it has none.
    awareness.setLocalState(null);
    const room = notesRoom(applicationId);
    const notes: OpenNotes = {
      applicationId,
      name,
      doc,
      awareness,
      members: new Map(),
      loaded: Promise.resolve(),
      writes: Promise.resolve(),
      storedSinceCompaction: 0,
    };

    notes.loaded = loadYjsDocument(sql, name).then((stored) => {
      if (stored) applyStoredYjsDocument(doc, stored, REMOTE, logBadUpdate(name));
      doc.on('update', (update: Uint8Array, origin: Origin) => {
        const message = syncMessage((encoder) => syncProtocol.writeUpdate(encoder, update));
        const target = io.local.to(room);
        (origin === REMOTE ? target : target.except(origin.socketId)).emit('notes:message', {
          doc: applicationId,
          data: message,
        });
      });
    });
    notes.loaded.catch(() => {
      if (documents.get(applicationId) === notes) closeNotes(notes);
    });

    awareness.on(
      'update',
      (
        { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
        origin: Origin | string | null,
      ) => {
        const changed = [...added, ...updated, ...removed];
        if (changed.length === 0) return;
        if (origin && origin !== REMOTE && typeof origin === 'object') {
          const controlled = notes.members.get(origin.socketId);
          for (const id of added) controlled?.add(id);
          for (const id of removed) controlled?.delete(id);
        }
        const update = awarenessProtocol.encodeAwarenessUpdate(awareness, changed);
        const target = io.local.to(room);
        (origin && origin !== REMOTE && typeof origin === 'object' ? target.except(origin.socketId) : target).emit(
          'notes:message',
          {
            doc: applicationId,
            data: awarenessMessage(update),
          },
        );
        // Presence from this node's sockets (or their departure) is relayed to the other nodes.
        if (origin !== REMOTE) {
          const payload = JSON.stringify({ document: name, node, data: Buffer.from(update).toString('base64') });
          if (payload.length < 7900)
            void sql`SELECT pg_notify(${AWARENESS_CHANNEL}, ${payload})`.catch((error) =>
              log.warn({ err: error }, 'could not relay presence'),
            );
        }
      },
    );

    documents.set(applicationId, notes);
    return notes;
  }

  function closeNotes(notes: OpenNotes) {
    documents.delete(notes.applicationId);
    void notes.writes.then(() => {
      notes.awareness.destroy();
      notes.doc.destroy();
      if (notes.storedSinceCompaction > 0) compactInBackground(notes);
    });
  }

  function leave(socket: HubSocket, applicationId: string) {
    const notes = documents.get(applicationId);
    void socket.leave(notesRoom(applicationId));
    const controlled = notes?.members.get(socket.id);
    if (!notes || !controlled) return;
    if (controlled.size) awarenessProtocol.removeAwarenessStates(notes.awareness, [...controlled], null);
    notes.members.delete(socket.id);
    if (notes.members.size === 0) closeNotes(notes);
  }

  function refuse(socket: HubSocket, applicationId: string, code: string, message: string) {
    socket.emit('notes:refused', { doc: applicationId, code, message });
  }

  /** An update from a socket: a writer's is stored, then applied and relayed; anyone else's goes nowhere. */
  function receiveUpdate(socket: HubSocket, notes: OpenNotes, update: Uint8Array, writable: boolean) {
    let empty: boolean;
    try {
      empty = isEmptyUpdate(update);
    } catch {
      return refuse(socket, notes.applicationId, 'VALIDATION_FAILED', 'The update is not a Yjs update');
    }
    if (empty) return;
    if (!writable) {
      log.info(
        { user_id: socket.data.user.id, application_id: notes.applicationId },
        'refused a notes update from a read-only user',
      );
      return refuse(
        socket,
        notes.applicationId,
        'FORBIDDEN',
        'Only compliance officers and administrators may edit the compliance notes',
      );
    }
    notes.writes = notes.writes.then(async () => {
      try {
        await appendYjsUpdate(sql, notes.name, update, socket.data.user.id, node);
      } catch (error) {
        log.error({ err: error, document: notes.name }, 'could not store a notes update');
        return refuse(
          socket,
          notes.applicationId,
          'SERVICE_UNAVAILABLE',
          'Your last edit could not be saved; reopen the notes and try again',
        );
      }
      Y.applyUpdate(notes.doc, update, { socketId: socket.id } satisfies Origin);
      // The document may have been closed and opened again here while this was being stored; this node skips its own notices.
      const reopened = documents.get(notes.applicationId);
      if (reopened && reopened !== notes) void reopened.loaded.then(() => Y.applyUpdate(reopened.doc, update, REMOTE));
      if (++notes.storedSinceCompaction >= COMPACT_AFTER_UPDATES) {
        notes.storedSinceCompaction = 0;
        compactInBackground(notes);
      }
    });
  }

  function receiveMessage(socket: HubSocket, notes: OpenNotes, data: Uint8Array, writable: boolean) {
    const decoder = decoding.createDecoder(data);
    const messageType = decoding.readVarUint(decoder);
    if (messageType === MESSAGE_SYNC) {
      const syncType = decoding.readVarUint(decoder);
      if (syncType === syncProtocol.messageYjsSyncStep1) {
        const stateVector = decoding.readVarUint8Array(decoder);
        socket.emit('notes:message', {
          doc: notes.applicationId,
          data: syncMessage((encoder) => syncProtocol.writeSyncStep2(encoder, notes.doc, stateVector)),
        });
      } else if (syncType === syncProtocol.messageYjsSyncStep2 || syncType === syncProtocol.messageYjsUpdate) {
        receiveUpdate(socket, notes, decoding.readVarUint8Array(decoder), writable);
      } else {
        refuse(socket, notes.applicationId, 'VALIDATION_FAILED', `Unknown sync message ${syncType}`);
      }
    } else if (messageType === MESSAGE_AWARENESS) {
      const controlledElsewhere = new Set(
        [...notes.members].filter(([id]) => id !== socket.id).flatMap(([, ids]) => [...ids]),
      );
      const stamped = stampAwarenessUpdate(
        decoding.readVarUint8Array(decoder),
        socket.data.user,
        (clientId) => !controlledElsewhere.has(clientId),
      );
      if (stamped.clients.length)
        awarenessProtocol.applyAwarenessUpdate(notes.awareness, stamped.update, {
          socketId: socket.id,
        } satisfies Origin);
    } else {
      refuse(socket, notes.applicationId, 'VALIDATION_FAILED', `Unknown message type ${messageType}`);
    }
  }

  async function applyRemoteUpdate(notice: YjsUpdateNotice) {
    const applicationId = notice.document.slice(notice.document.indexOf('/') + 1);
    const notes = documents.get(applicationId);
    if (!notes || notes.name !== notice.document) return;
    await notes.loaded;
    const update = notice.data
      ? new Uint8Array(Buffer.from(notice.data, 'base64'))
      : await getYjsUpdate(sql, notice.id);
    if (update) {
      Y.applyUpdate(notes.doc, update, REMOTE);
      return;
    }
    // Compacted before this node read it: the snapshot holds it.
    const stored = await loadYjsDocument(sql, notes.name);
    if (stored) applyStoredYjsDocument(notes.doc, stored, REMOTE, logBadUpdate(notes.name));
  }

  let remoteUpdates: Promise<void> = Promise.resolve();
  const listening = Promise.all([
    sql.listen(YJS_UPDATE_CHANNEL, (payload) => {
      const notice = parseNotice<YjsUpdateNotice>(payload);
      // This node applied its own updates already.
      if (!notice || notice.node === node) return;
      remoteUpdates = remoteUpdates
        .then(() => applyRemoteUpdate(notice))
        .catch((error) => log.error({ err: error, notice }, 'could not apply a notes update from another node'));
    }),
    sql.listen(AWARENESS_CHANNEL, (payload) => {
      const notice = parseNotice<{ document: string; node: string; data: string }>(payload);
      if (!notice || notice.node === node) return;
      const notes = [...documents.values()].find((n) => n.name === notice.document);
      if (notes)
        awarenessProtocol.applyAwarenessUpdate(
          notes.awareness,
          new Uint8Array(Buffer.from(notice.data, 'base64')),
          REMOTE,
        );
    }),
  ]).catch((error: unknown) => log.error({ err: error }, 'could not LISTEN for notes updates'));

  io.use(async (_socket, next) => {
    await listening;
    next();
  });

  io.on('connection', (socket) => {
    const user = socket.data.user;
    /** Documents this socket has open, and whether it may write each. */
    const joined = new Map<string, boolean>();

    socket.on('notes:join', async (request, ack) => {
      const parsed = NotesRequest.safeParse(request);
      if (!parsed.success)
        return answer<Parameters<NotesJoinAck>[0]>(
          ack,
          refusal('VALIDATION_FAILED', 'doc: the application id is required'),
        );
      const applicationId = parsed.data.doc;
      try {
        const process = await getProcess(sql, applicationId);
        if (!process || !isApplication(process))
          return answer<Parameters<NotesJoinAck>[0]>(
            ack,
            refusal('APPLICATION_NOT_FOUND', `No application ${applicationId}`),
          );
        if (!mayReadComplianceNotes(process, user))
          return answer<Parameters<NotesJoinAck>[0]>(ack, refusal('FORBIDDEN', 'You may not view this application'));
        const writable = mayWriteComplianceNotes(process, user);
        const notes = openNotes(applicationId);
        if (!notes.members.has(socket.id)) notes.members.set(socket.id, new Set());
        joined.set(applicationId, writable);
        await socket.join(notesRoom(applicationId));
        await notes.loaded;
        answer<Parameters<NotesJoinAck>[0]>(ack, { ok: true, writable });
        // The server's half of the handshake: its state vector, then who is here.
        socket.emit('notes:message', {
          doc: applicationId,
          data: syncMessage((encoder) => syncProtocol.writeSyncStep1(encoder, notes.doc)),
        });
        const present = [...notes.awareness.getStates().keys()];
        if (present.length) {
          socket.emit('notes:message', {
            doc: applicationId,
            data: awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(notes.awareness, present)),
          });
        }
      } catch (error) {
        log.error({ err: error, application_id: applicationId }, 'notes:join failed');
        joined.delete(applicationId);
        leave(socket, applicationId);
        answer<Parameters<NotesJoinAck>[0]>(
          ack,
          refusal('SERVICE_UNAVAILABLE', 'The notes could not be opened; try again shortly'),
        );
      }
    });

    socket.on('notes:message', (message) => {
      const parsed = NotesRequest.safeParse(message);
      const data = binary((message as { data?: unknown } | undefined)?.data);
      if (!parsed.success || !data)
        return refuse(
          socket,
          parsed.success ? parsed.data.doc : '',
          'VALIDATION_FAILED',
          'Expected { doc, data } with binary data',
        );
      const applicationId = parsed.data.doc;
      const notes = documents.get(applicationId);
      const writable = joined.get(applicationId);
      if (!notes || writable === undefined)
        return refuse(socket, applicationId, 'FORBIDDEN', 'Open the notes with notes:join first');
      notes.loaded
        .then(() => receiveMessage(socket, notes, data, writable))
        .catch((error: unknown) => {
          log.warn(
            { err: error, user_id: user.id, application_id: applicationId },
            'a notes message could not be read',
          );
          refuse(socket, applicationId, 'VALIDATION_FAILED', 'The message is not a y-protocols message');
        });
    });

    socket.on('notes:leave', (request, ack) => {
      const parsed = NotesRequest.safeParse(request);
      if (!parsed.success)
        return answer<Parameters<RealtimeAck>[0]>(
          ack,
          refusal('VALIDATION_FAILED', 'doc: the application id is required'),
        );
      joined.delete(parsed.data.doc);
      leave(socket, parsed.data.doc);
      answer<Parameters<RealtimeAck>[0]>(ack, { ok: true });
    });

    socket.on('disconnect', () => {
      for (const applicationId of joined.keys()) leave(socket, applicationId);
      joined.clear();
    });
  });
}
