import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import type { NotesMessage, NotesRefusal, RealtimeUser } from '../../contracts/socket-events.js';
import { COMPLIANCE_NOTES_TEXT } from '../../workflows/compliance-notes.js';
import { h, replaceChildren, setText } from './dom.js';
import { colorFor, cursorPieces, presentPeople, type NotesAwarenessState, type RemoteCursor } from './presence.js';
import type { NotesChannel, RealtimeClient } from './realtime.js';
import { diffText, transformIndex, type TextDelta } from './text-diff.js';

/** y-protocols message types, numbered as y-websocket and the hub's gateway number them. */
const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
/** Origins of changes: from the hub, or typed here. */
const FROM_HUB = Symbol('hub');
const TYPED_HERE = Symbol('typed here');

/** One copy of the document: thrown away and fetched again when the hub refuses what it sent. */
interface Replica {
  doc: Y.Doc;
  text: Y.Text;
  awareness: awarenessProtocol.Awareness;
}

function message(type: number, write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

/**
 * An application's compliance notes, edited together: a textarea bound to the Y.Text `notes` of the
 * hub's Yjs document, synced over the board's socket with the y-protocols sync and awareness messages.
 * Each input becomes the one minimal Y.Text edit it made, so concurrent edits merge; others' edits move
 * the text under the caret without moving the caret. Who is here, and their carets and selections,
 * come from awareness. Read-only for whoever the hub says may not write.
 */
export class NotesEditor {
  readonly element: HTMLElement;
  private readonly textarea = h('textarea', {
    class: 'notes-text',
    rows: 6,
    'aria-label': 'Compliance notes',
    readonly: true,
    spellcheck: 'true',
  }) as HTMLTextAreaElement;
  private readonly mirror = h('div', { class: 'notes-mirror', 'aria-hidden': 'true' });
  private readonly presence = h('ul', { class: 'notes-presence', 'aria-label': 'Editing now' });
  private readonly status = h('p', { class: 'notes-status muted', role: 'status' });
  private readonly channel: NotesChannel;
  private replica: Replica;
  private joined = false;
  private synced = false;
  private writable = false;
  private refusedFor = false;
  private destroyed = false;
  private drawFrame = 0;
  private readonly onSelectionChange = () => {
    if (document.activeElement === this.textarea) this.publishCursor();
  };

  constructor(
    applicationId: string,
    private readonly user: RealtimeUser,
    realtime: RealtimeClient,
  ) {
    this.element = h(
      'section',
      { class: 'notes', 'data-doc': applicationId },
      h('div', { class: 'notes-head' }, h('h3', {}, 'Compliance notes'), this.presence),
      h('div', { class: 'notes-editor' }, this.mirror, this.textarea),
      this.status,
    );
    this.replica = this.createReplica();
    this.textarea.addEventListener('input', () => this.typed());
    this.textarea.addEventListener('blur', () => this.replica.awareness.setLocalStateField('cursor', null));
    document.addEventListener('selectionchange', this.onSelectionChange);
    this.say('Connecting…');
    this.channel = realtime.openNotes(applicationId, {
      connected: () => void this.join(),
      disconnected: () => {
        this.joined = false;
        this.setEditable();
        // Whoever is there is learned again on joining; until then only this person is known to be here.
        const { doc, awareness } = this.replica;
        const others = [...awareness.getStates().keys()].filter((id) => id !== doc.clientID);
        awarenessProtocol.removeAwarenessStates(awareness, others, FROM_HUB);
        this.say('Offline: the notes are read only until the connection is back');
      },
      message: (received) => this.receive(received),
      refused: (refusal) => this.refused(refusal),
    });
  }

  destroy(): void {
    this.destroyed = true;
    document.removeEventListener('selectionchange', this.onSelectionChange);
    cancelAnimationFrame(this.drawFrame);
    // Tells the others this person left before the socket leaves the room.
    this.replica.awareness.setLocalState(null);
    this.channel.close();
    this.replica.awareness.destroy();
    this.replica.doc.destroy();
  }

  private createReplica(): Replica {
    const doc = new Y.Doc();
    const text = doc.getText(COMPLIANCE_NOTES_TEXT);
    const awareness = new awarenessProtocol.Awareness(doc);
    awareness.setLocalState({
      user: { id: this.user.id, name: this.user.name, role: this.user.role, color: colorFor(this.user.id) },
      cursor: null,
    });
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === FROM_HUB || !this.joined) return;
      this.channel.send(message(MESSAGE_SYNC, (encoder) => syncProtocol.writeUpdate(encoder, update)));
    });
    awareness.on(
      'update',
      ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
        if (origin !== 'local' || !this.joined) return;
        const update = awarenessProtocol.encodeAwarenessUpdate(awareness, [...added, ...updated, ...removed]);
        this.channel.send(message(MESSAGE_AWARENESS, (encoder) => encoding.writeVarUint8Array(encoder, update)));
      },
    );
    awareness.on('change', () => this.redraw());
    text.observe((event, transaction) => {
      if (transaction.origin !== TYPED_HERE) this.showRemoteChange(event.delta as TextDelta);
      this.redraw();
    });
    return { doc, text, awareness };
  }

  private async join() {
    this.joined = false;
    this.synced = false;
    const reply = await this.channel.join();
    if (this.destroyed) return;
    if (!reply.ok) {
      this.setEditable();
      return this.say(reply.error.message, 'error');
    }
    this.writable = reply.writable;
    this.joined = true;
    const { doc, awareness } = this.replica;
    this.channel.send(message(MESSAGE_SYNC, (encoder) => syncProtocol.writeSyncStep1(encoder, doc)));
    const update = awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID]);
    this.channel.send(message(MESSAGE_AWARENESS, (encoder) => encoding.writeVarUint8Array(encoder, update)));
  }

  private receive({ data }: NotesMessage) {
    const decoder = decoding.createDecoder(data instanceof Uint8Array ? data : new Uint8Array(data));
    const type = decoding.readVarUint(decoder);
    const { doc, awareness } = this.replica;
    if (type === MESSAGE_SYNC) {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_SYNC);
      const syncType = syncProtocol.readSyncMessage(decoder, encoder, doc, FROM_HUB);
      if (encoding.length(encoder) > 1) this.channel.send(encoding.toUint8Array(encoder));
      if (syncType === syncProtocol.messageYjsSyncStep2 && !this.synced) {
        this.synced = true;
        this.textarea.value = this.replica.text.toString();
        this.fitHeight();
        this.setEditable();
        if (!this.refusedFor)
          this.say(this.writable ? '' : 'Read only: compliance officers and administrators write the notes');
        this.refusedFor = false;
      }
    } else if (type === MESSAGE_AWARENESS) {
      awarenessProtocol.applyAwarenessUpdate(awareness, decoding.readVarUint8Array(decoder), FROM_HUB);
    }
  }

  /**
   * The hub dropped what this tab sent (it reached no one): say why in the hub's words, and fetch the
   * document again so this copy matches everyone else's.
   */
  private refused(refusal: NotesRefusal) {
    this.say(refusal.message, 'error');
    this.refusedFor = true;
    const old = this.replica;
    this.joined = false;
    this.replica = this.createReplica();
    old.awareness.destroy();
    old.doc.destroy();
    this.textarea.value = '';
    void this.join();
  }

  private setEditable() {
    this.textarea.readOnly = !(this.joined && this.synced && this.writable);
    this.element.classList.toggle('read-only', !this.writable);
  }

  private say(text: string, tone: 'error' | '' = '') {
    this.status.className = `notes-status ${tone === 'error' ? 'error' : 'muted'}`;
    setText(this.status, text);
  }

  /** The textarea changed here: the one edit it made goes into the Y.Text. */
  private typed() {
    const { doc, text } = this.replica;
    const edit = diffText(text.toString(), this.textarea.value, this.textarea.selectionEnd);
    if (edit) {
      doc.transact(() => {
        if (edit.remove) text.delete(edit.index, edit.remove);
        if (edit.insert) text.insert(edit.index, edit.insert);
      }, TYPED_HERE);
    }
    this.fitHeight();
    this.publishCursor();
  }

  /** Someone else's edit: the new text, with this person's selection moved along with the text around it. */
  private showRemoteChange(delta: TextDelta) {
    const focused = document.activeElement === this.textarea;
    const { selectionStart, selectionEnd, selectionDirection } = this.textarea;
    this.textarea.value = this.replica.text.toString();
    if (focused)
      this.textarea.setSelectionRange(
        transformIndex(selectionStart, delta),
        transformIndex(selectionEnd, delta),
        selectionDirection ?? undefined,
      );
    this.fitHeight();
  }

  private publishCursor() {
    const { text, awareness } = this.replica;
    const { selectionStart, selectionEnd, selectionDirection } = this.textarea;
    const [anchor, head] =
      selectionDirection === 'backward' ? [selectionEnd, selectionStart] : [selectionStart, selectionEnd];
    const position = (index: number) => Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(text, index));
    const cursor = { anchor: position(anchor), head: position(head) };
    const current = (awareness.getLocalState() as NotesAwarenessState | null)?.cursor;
    if (JSON.stringify(current) !== JSON.stringify(cursor)) awareness.setLocalStateField('cursor', cursor);
  }

  /** Grows with its text, so the mirror behind it never has to follow a scroll. */
  private fitHeight() {
    this.textarea.style.height = 'auto';
    this.textarea.style.height = `${this.textarea.scrollHeight + 2}px`;
  }

  private redraw() {
    if (this.drawFrame) return;
    this.drawFrame = requestAnimationFrame(() => {
      this.drawFrame = 0;
      if (!this.destroyed) this.draw();
    });
  }

  /** Who is here, and the others' carets and selections in a mirror of the text behind the textarea. */
  private draw() {
    const { doc, text, awareness } = this.replica;
    const states = awareness.getStates() as Map<number, NotesAwarenessState>;
    const people = presentPeople(states, doc.clientID, this.user.id);
    replaceChildren(
      this.presence,
      ...people.map((person) =>
        h(
          'li',
          { 'data-user-id': person.id, style: `--person:${person.color}`, title: person.role },
          person.self ? `${person.name} (you)` : person.name,
        ),
      ),
    );
    const absolute = (json: unknown) => {
      try {
        return Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(json), doc)?.index ?? null;
      } catch {
        return null;
      }
    };
    const cursors: RemoteCursor[] = [];
    for (const [clientId, state] of states) {
      if (clientId === doc.clientID || !state.cursor || typeof state.user?.id !== 'string') continue;
      const anchor = absolute(state.cursor.anchor);
      const head = absolute(state.cursor.head);
      const person = people.find((p) => p.id === state.user!.id);
      if (anchor === null || head === null || !person) continue;
      cursors.push({ person, anchor, head });
    }
    const content = text.toString();
    replaceChildren(
      this.mirror,
      ...cursorPieces(content.length, cursors).map((piece) =>
        piece.kind === 'caret'
          ? h(
              'span',
              { class: 'remote-caret', 'data-user-id': piece.person.id, style: `--person:${piece.person.color}` },
              h('span', { class: 'remote-name' }, piece.person.name),
            )
          : piece.selectedBy
            ? h('mark', { style: `--person:${piece.selectedBy.color}` }, content.slice(piece.from, piece.to))
            : content.slice(piece.from, piece.to),
      ),
      // A trailing newline needs a character after it to take up its line.
      '\u200b',
    );
  }
}
