import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { connectHubSocket, emitWithAck, recordEvents, type HubSocket } from './sockets.js';

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const FROM_SERVER = Symbol('server');

export interface NotesPeer {
  socket: HubSocket;
  doc: Y.Doc;
  text: Y.Text;
  awareness: awarenessProtocol.Awareness;
  writable: boolean;
  refusals: ReturnType<typeof recordEvents<'notes:refused'>>;
  /** Resolves once the peer's text satisfies the check, re-checking on every change. */
  untilText(check: (text: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves once the awareness states satisfy the check. */
  untilPresence(
    check: (states: Map<number, Record<string, any>>) => boolean,
    timeoutMs?: number,
  ): Promise<Map<number, Record<string, any>>>;
  close(): void;
}

function waitFor<T>(
  subscribe: (wake: () => void) => () => void,
  probe: () => T | undefined,
  timeoutMs: number,
  what: () => string,
): Promise<T> {
  const now = probe();
  if (now !== undefined) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const unsubscribe = subscribe(() => {
      const value = probe();
      if (value === undefined) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    });
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out waiting for ${what()}`));
    }, timeoutMs);
  });
}

/**
 * A notes editor as the board will be one: a real socket.io-client, a Y.Doc and an Awareness, speaking
 * the y-protocols sync and awareness messages over `notes:message`. Resolves once the first sync is done.
 */
export async function openNotesPeer(url: string, token: string, applicationId: string): Promise<NotesPeer> {
  const socket = await connectHubSocket(url, token);
  const doc = new Y.Doc();
  const awareness = new awarenessProtocol.Awareness(doc);
  const refusals = recordEvents(socket, 'notes:refused');
  const send = (data: Uint8Array) => socket.emit('notes:message', { doc: applicationId, data });
  let markSynced: () => void = () => {};
  const synced = new Promise<void>((resolve) => (markSynced = resolve));

  socket.on('notes:message', ({ doc: id, data }) => {
    if (id !== applicationId) return;
    const decoder = decoding.createDecoder(new Uint8Array(data as ArrayBuffer));
    const type = decoding.readVarUint(decoder);
    if (type === MESSAGE_SYNC) {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_SYNC);
      const syncType = syncProtocol.readSyncMessage(decoder, encoder, doc, FROM_SERVER);
      if (encoding.length(encoder) > 1) send(encoding.toUint8Array(encoder));
      if (syncType === syncProtocol.messageYjsSyncStep2) markSynced();
    } else if (type === MESSAGE_AWARENESS) {
      awarenessProtocol.applyAwarenessUpdate(awareness, decoding.readVarUint8Array(decoder), FROM_SERVER);
    }
  });
  doc.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin === FROM_SERVER) return;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeUpdate(encoder, update);
    send(encoding.toUint8Array(encoder));
  });
  awareness.on(
    'update',
    ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
      if (origin !== 'local') return;
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
      encoding.writeVarUint8Array(
        encoder,
        awarenessProtocol.encodeAwarenessUpdate(awareness, [...added, ...updated, ...removed]),
      );
      send(encoding.toUint8Array(encoder));
    },
  );

  const joined = await emitWithAck<
    { ok: true; writable: boolean } | { ok: false; error: { code: string; message: string } }
  >(socket, 'notes:join', { doc: applicationId });
  if (!joined.ok) {
    socket.close();
    throw Object.assign(new Error(`notes:join refused: ${joined.error.code}`), { code: joined.error.code });
  }
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeSyncStep1(encoder, doc);
  send(encoding.toUint8Array(encoder));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    synced,
    new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the first sync of ${applicationId} did not complete within 15 s`)),
        15_000,
      );
    }),
  ]).finally(() => clearTimeout(timer));

  const text = doc.getText('notes');
  return {
    socket,
    doc,
    text,
    awareness,
    writable: joined.writable,
    refusals,
    untilText: (check, timeoutMs = 15_000) =>
      waitFor(
        (wake) => {
          doc.on('update', wake);
          return () => doc.off('update', wake);
        },
        () => (check(text.toString()) ? text.toString() : undefined),
        timeoutMs,
        () => `notes text; it is ${JSON.stringify(text.toString())}`,
      ),
    untilPresence: (check, timeoutMs = 15_000) =>
      waitFor(
        (wake) => {
          awareness.on('change', wake);
          return () => awareness.off('change', wake);
        },
        () => (check(awareness.getStates()) ? awareness.getStates() : undefined),
        timeoutMs,
        () => `presence; states are ${JSON.stringify([...awareness.getStates().values()])}`,
      ),
    close() {
      awareness.destroy();
      doc.destroy();
      socket.close();
    },
  };
}
