/** The Socket.IO contract between the hub and the board; web/ imports these types. */

export interface RealtimeUser {
  id: string;
  name: string;
  role: string;
}

export interface ServerToClientEvents {
  'hub:welcome': (welcome: { user: RealtimeUser; server_time: string }) => void;
}

// Filled by the gateway's features below (interfaces merge).
export interface ClientToServerEvents {}

export interface SocketData {
  user: RealtimeUser;
}

// ---- Query threads: pushed to `process:<process_id>` and to the assignee's `user:<user_id>` ----

export type QueryKind = 'question_to_advisor' | 'document_request' | 'operational_issue';
export type QueryStatus = 'open' | 'resolved';
/** What happened to a query; also the kind of the thread entry it wrote. */
export type QueryChange = 'opened' | 'replied' | 'resolved' | 'reopened';

export interface PersonRef {
  id: string;
  name: string;
  role: string;
}

/** A mentioned hub user; `handle` is the local part of their e-mail, as written after the @. */
export interface MentionRef extends PersonRef {
  handle: string;
}

export interface QueryEntryView {
  /** 1, 2, 3… within the query, in the order the entries were written. */
  sequence: number;
  kind: QueryChange;
  author: PersonRef;
  body: string | null;
  mentions: MentionRef[];
  created_at: string;
}

export interface QueryView {
  id: string;
  process_id: string;
  process_type: string;
  title: string;
  kind: QueryKind;
  status: QueryStatus;
  assignee: PersonRef;
  created_by: PersonRef;
  /** The sequence of the latest entry. */
  sequence: number;
  /** True while this query holds the process's SLA clock (a question to the advisor during compliance review). */
  pauses_sla: boolean;
  /** Whom the query waits on while open: the advisor for a question to the advisor, otherwise null. */
  waiting_on: 'advisor' | null;
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
  resolved_by: PersonRef | null;
}

/** A query with its whole thread, and how many entries by others the caller has not read. */
export interface QueryThreadView extends QueryView {
  entries: QueryEntryView[];
  unread: number;
}

/** What a card shows about a process's queries (the same for every viewer). */
export interface ProcessQueriesSummary {
  process_id: string;
  open: number;
  /** 'advisor' while any open question to the advisor waits for an answer. */
  waiting_on: 'advisor' | null;
}

/** One change to a query; `sequence` equals `entry.sequence`, so a client orders and deduplicates by it. */
export interface QueryChangedEvent {
  process_type: string;
  process_id: string;
  change: QueryChange;
  sequence: number;
  /** The query as it stood when pushed (pushes go out in commit order, so never older than a previous push). */
  query: QueryView;
  entry: QueryEntryView;
  summary: ProcessQueriesSummary;
}

/** The caller read a thread up to `read_sequence` (sent to the reader's own `user:<id>` room, for their other tabs). */
export interface QueryReadEvent {
  process_id: string;
  query_id: string;
  read_sequence: number;
}

export type RealtimeAck = (result: { ok: true } | { ok: false; error: { code: string; message: string } }) => void;

// ---- Collaborative compliance notes: y-protocols messages in room `notes:<application_id>` ----

/** One y-protocols message (sync or awareness) for the document of application `doc`. Binary: send a Uint8Array. */
export interface NotesMessage {
  doc: string;
  data: Uint8Array | ArrayBuffer;
}

/** The server dropped what the client sent (an update from a read-only user, a malformed message); nobody else got it. */
export interface NotesRefusal {
  doc: string;
  code: string;
  message: string;
}

export type NotesJoinAck = (result: { ok: true; writable: boolean } | { ok: false; error: { code: string; message: string } }) => void;

export interface ServerToClientEvents {
  'query:changed': (event: QueryChangedEvent) => void;
  'query:read': (event: QueryReadEvent) => void;
  'notes:message': (message: NotesMessage) => void;
  'notes:refused': (refusal: NotesRefusal) => void;
}

export interface ClientToServerEvents {
  /** Joins `process:<process_id>` if the caller may see the process. */
  'process:join': (request: { process_id: string }, ack?: RealtimeAck) => void;
  'process:leave': (request: { process_id: string }, ack?: RealtimeAck) => void;
  /** Opens the compliance notes of an application; the server then sends its sync step 1 and the awareness states. */
  'notes:join': (request: { doc: string }, ack?: NotesJoinAck) => void;
  'notes:leave': (request: { doc: string }, ack?: RealtimeAck) => void;
  'notes:message': (message: NotesMessage) => void;
}
