import { heldDocumentsOf, type DocumentKind, type HeldDocuments, type ReviewStatus } from '../workflows/documents.js';
import type { Actor } from '../workflows/process-records.js';
import { appendAudit } from './audit.js';
import type { Queryable, Sql, Tx } from './client.js';
import { appendEvents } from './events.js';
import { getSetting } from './settings.js';

/** What a document is about: a process (its id and type) or a client. */
export type DocumentSubject = { type: 'process'; id: string; process_type: string } | { type: 'client'; id: string };

export interface DocumentVersionRow {
  document_id: string;
  version: number;
  title: string;
  file_name: string;
  media_type: string;
  extension: string;
  size_bytes: number;
  sha256: string;
  storage_backend: string;
  storage_key: string;
  client_visible: boolean;
  uploaded_by: string;
  uploaded_by_name: string | null;
  uploaded_at: string;
  retain_until: string;
  review_status: ReviewStatus;
  reviewed_by: string | null;
  reviewed_by_name: string | null;
  reviewed_at: string | null;
  review_reason: string | null;
  deleted_at: string | null;
}

export interface DocumentRow {
  id: string;
  subject_type: 'process' | 'client';
  subject_id: string;
  kind: DocumentKind;
  created_at: string;
}

/** Work queued in the transaction of a document change (refreshing the Slack messages that show documents). */
export type FollowUp = (tx: Tx, subject: DocumentSubject) => Promise<void>;

export interface DocumentSettings {
  maxBytes: number;
  retentionYears: number;
}

export async function getDocumentSettings(db: Queryable): Promise<DocumentSettings> {
  const [maxBytes, retentionYears] = await Promise.all([
    getSetting(db, 'document_max_bytes', 25 * 1024 * 1024),
    getSetting(db, 'document_retention_years', 6),
  ]);
  return { maxBytes: Number(maxBytes), retentionYears: Number(retentionYears) };
}

/** The audit trail and event feed file a document under its process, or under the client it belongs to. */
function auditPlace(subject: DocumentSubject) {
  return subject.type === 'process'
    ? { process_type: subject.process_type, process_id: subject.id, client_id: null }
    : { process_type: 'client', process_id: subject.id, client_id: subject.id };
}

async function appendDocumentEvent(tx: Tx, subject: DocumentSubject, type: string, payload: Record<string, unknown>) {
  const place = auditPlace(subject);
  // Client documents have no process: the feed shows them to the client and advisor by client_id.
  const eventPayload = {
    ...payload,
    subject_type: subject.type,
    subject_id: subject.id,
    ...(place.client_id ? { client_id: place.client_id } : {}),
  };
  await appendEvents(
    tx,
    subject.type === 'process' ? subject.process_type : null,
    subject.type === 'process' ? subject.id : null,
    [{ type, payload: { ...eventPayload, timestamp: new Date().toISOString() } }],
  );
}

const VERSION_COLUMNS = (db: Queryable) => db`
  v.document_id, v.version, v.title, v.file_name, v.media_type, v.extension, v.size_bytes, v.sha256, v.storage_backend,
  v.storage_key, v.client_visible, v.uploaded_by, u.name AS uploaded_by_name, v.uploaded_at, v.retain_until, v.review_status,
  v.reviewed_by, r.name AS reviewed_by_name, v.reviewed_at, v.review_reason, v.deleted_at`;

export interface NewVersion {
  title: string;
  file_name: string;
  media_type: string;
  extension: string;
  size_bytes: number;
  sha256: string;
  storage_backend: string;
  storage_key: string;
  client_visible: boolean;
}

/**
 * Records an uploaded file as the next version of its subject's document of that kind, with its audit row and
 * event, in one transaction. The bytes are already stored; the row makes them exist.
 */
export async function recordDocumentVersion(
  sql: Sql,
  input: {
    subject: DocumentSubject;
    kind: DocumentKind;
    newDocumentId: string;
    file: NewVersion;
    actor: Actor;
    retentionYears: number;
    followUp?: FollowUp;
  },
): Promise<{ document: DocumentRow; version: DocumentVersionRow }> {
  const { subject, kind, file, actor } = input;
  return sql.begin(async (tx) => {
    await tx`
      INSERT INTO documents (id, subject_type, subject_id, kind) VALUES (${input.newDocumentId}, ${subject.type}, ${subject.id}, ${kind})
      ON CONFLICT (subject_type, subject_id, kind) DO NOTHING`;
    // The lock makes concurrent uploads of one kind take consecutive version numbers.
    const [document] = await tx`
      SELECT id, subject_type, subject_id, kind, created_at FROM documents
      WHERE subject_type = ${subject.type} AND subject_id = ${subject.id} AND kind = ${kind} FOR UPDATE`;
    const [{ next }] =
      await tx`SELECT coalesce(max(version), 0) + 1 AS next FROM document_versions WHERE document_id = ${document.id}`;
    await tx`
      INSERT INTO document_versions (document_id, version, title, file_name, media_type, extension, size_bytes, sha256,
                                     storage_backend, storage_key, client_visible, uploaded_by, retain_until)
      VALUES (${document.id}, ${next}, ${file.title}, ${file.file_name}, ${file.media_type}, ${file.extension}, ${file.size_bytes},
              ${file.sha256}, ${file.storage_backend}, ${file.storage_key}, ${file.client_visible}, ${actor.user_id},
              now() + make_interval(years => ${input.retentionYears}))`;
    const place = auditPlace(subject);
    await appendAudit(tx, {
      process_type: place.process_type,
      process_id: place.process_id,
      actor,
      action: 'upload_document',
      outcome: 'accepted',
      details: {
        document_id: document.id,
        version: next,
        kind,
        title: file.title,
        media_type: file.media_type,
        size_bytes: file.size_bytes,
        sha256: file.sha256,
        client_visible: file.client_visible,
      },
    });
    await appendDocumentEvent(tx, subject, 'document.uploaded', {
      document_id: document.id,
      version: next,
      kind,
      uploaded_by: actor.user_id,
    });
    await input.followUp?.(tx, subject);
    return {
      document: document as DocumentRow,
      version: (await versionOf(tx, document.id as string, next as number))!,
    };
  });
}

async function versionOf(db: Queryable, documentId: string, version: number): Promise<DocumentVersionRow | undefined> {
  const [row] = await db`
    SELECT ${VERSION_COLUMNS(db)} FROM document_versions v
    JOIN users u ON u.id = v.uploaded_by LEFT JOIN users r ON r.id = v.reviewed_by
    WHERE v.document_id = ${documentId} AND v.version = ${version}`;
  return row as DocumentVersionRow | undefined;
}

export async function getDocument(db: Queryable, documentId: string): Promise<DocumentRow | undefined> {
  const [row] = await db`SELECT id, subject_type, subject_id, kind, created_at FROM documents WHERE id = ${documentId}`;
  return row as DocumentRow | undefined;
}

/** One version, or the latest one still held when `version` is omitted. */
export async function getDocumentVersion(
  db: Queryable,
  documentId: string,
  version?: number,
): Promise<DocumentVersionRow | undefined> {
  if (version !== undefined) return versionOf(db, documentId, version);
  const [row] = await db`SELECT max(version) AS latest FROM document_versions WHERE document_id = ${documentId}`;
  return row?.latest ? versionOf(db, documentId, row.latest as number) : undefined;
}

/** A subject's documents by kind, each with its versions newest first. */
export async function listDocuments(
  db: Queryable,
  subject: Pick<DocumentSubject, 'type' | 'id'>,
): Promise<(DocumentRow & { versions: DocumentVersionRow[] })[]> {
  const documents = (await db`
    SELECT id, subject_type, subject_id, kind, created_at FROM documents
    WHERE subject_type = ${subject.type} AND subject_id = ${subject.id} ORDER BY created_at, id`) as unknown as DocumentRow[];
  if (documents.length === 0) return [];
  const versions = (await db`
    SELECT ${VERSION_COLUMNS(db)} FROM document_versions v
    JOIN users u ON u.id = v.uploaded_by LEFT JOIN users r ON r.id = v.reviewed_by
    WHERE v.document_id IN ${db(documents.map((d) => d.id))}
    ORDER BY v.document_id, v.version DESC`) as unknown as DocumentVersionRow[];
  return documents.map((d) => ({ ...d, versions: versions.filter((v) => v.document_id === d.id) }));
}

/** Kinds on a process whose latest version is accepted: what the specs' requirements are checked against. */
/** The kinds a process holds (latest version not deleted), and those whose latest version is accepted. */
export async function heldDocumentKinds(db: Queryable, processId: string): Promise<HeldDocuments> {
  return heldDocumentsOf(await latestDocumentLines(db, [processId]));
}

/**
 * A compliance decision on a pending version, with its audit row and event. Answers undefined when the
 * version was decided meanwhile (or never existed).
 */
export async function reviewDocumentVersion(
  sql: Sql,
  input: {
    subject: DocumentSubject;
    documentId: string;
    kind: string;
    version: number;
    decision: 'accepted' | 'rejected';
    reason: string | null;
    actor: Actor;
    followUp?: FollowUp;
  },
): Promise<DocumentVersionRow | undefined> {
  const { subject, actor } = input;
  return sql.begin(async (tx) => {
    const updated = await tx`
      UPDATE document_versions SET review_status = ${input.decision}, reviewed_by = ${actor.user_id}, reviewed_at = now(), review_reason = ${input.reason}
      WHERE document_id = ${input.documentId} AND version = ${input.version} AND review_status = 'pending' AND deleted_at IS NULL
      RETURNING version`;
    if (updated.length === 0) return undefined;
    const place = auditPlace(subject);
    await appendAudit(tx, {
      process_type: place.process_type,
      process_id: place.process_id,
      actor,
      action: 'review_document',
      outcome: 'accepted',
      details: {
        document_id: input.documentId,
        version: input.version,
        kind: input.kind,
        decision: input.decision,
        reason: input.reason,
      },
    });
    await appendDocumentEvent(tx, subject, 'document.reviewed', {
      document_id: input.documentId,
      version: input.version,
      kind: input.kind,
      decision: input.decision,
      reviewed_by: actor.user_id,
    });
    await input.followUp?.(tx, subject);
    return versionOf(tx, input.documentId, input.version);
  });
}

/** Who read which version, and when: written before the first byte is sent. */
export async function auditDocumentRead(
  db: Queryable,
  input: {
    subject: DocumentSubject;
    documentId: string;
    version: number;
    kind: string;
    disposition: 'inline' | 'attachment';
    actor: Actor;
  },
): Promise<void> {
  const place = auditPlace(input.subject);
  await appendAudit(db, {
    process_type: place.process_type,
    process_id: place.process_id,
    actor: input.actor,
    action: input.disposition === 'inline' ? 'preview_document' : 'download_document',
    outcome: 'accepted',
    details: { document_id: input.documentId, version: input.version, kind: input.kind },
  });
}

/**
 * Marks a version deleted after its retention period, with the audit row, in one transaction; the caller
 * removes the bytes once this has committed. The table's trigger refuses a deletion inside the period.
 */
export async function markDocumentVersionDeleted(
  sql: Sql,
  input: {
    subject: DocumentSubject;
    documentId: string;
    version: number;
    kind: string;
    reason: string;
    actor: Actor;
    followUp?: FollowUp;
  },
): Promise<DocumentVersionRow | undefined> {
  const { subject, actor } = input;
  return sql.begin(async (tx) => {
    const updated = await tx`
      UPDATE document_versions SET deleted_at = now(), deleted_by = ${actor.user_id}
      WHERE document_id = ${input.documentId} AND version = ${input.version} AND deleted_at IS NULL AND retain_until <= now()
      RETURNING version`;
    if (updated.length === 0) return undefined;
    const place = auditPlace(subject);
    await appendAudit(tx, {
      process_type: place.process_type,
      process_id: place.process_id,
      actor,
      action: 'delete_document',
      outcome: 'accepted',
      details: { document_id: input.documentId, version: input.version, kind: input.kind, reason: input.reason },
    });
    await appendDocumentEvent(tx, subject, 'document.deleted', {
      document_id: input.documentId,
      version: input.version,
      kind: input.kind,
      deleted_by: actor.user_id,
    });
    await input.followUp?.(tx, subject);
    return versionOf(tx, input.documentId, input.version);
  });
}

export interface DocumentLine {
  subject_id: string;
  document_id: string;
  kind: DocumentKind;
  version: number;
  title: string;
  sha256: string;
  review_status: ReviewStatus;
}

/** The latest version still held of every document on these processes, for one-line summaries. */
export async function latestDocumentLines(db: Queryable, processIds: string[]): Promise<DocumentLine[]> {
  if (processIds.length === 0) return [];
  const rows = await db`
    SELECT d.subject_id, d.id AS document_id, d.kind, v.version, v.title, v.sha256, v.review_status
    FROM documents d
    JOIN LATERAL (SELECT version, title, sha256, review_status, deleted_at FROM document_versions WHERE document_id = d.id ORDER BY version DESC LIMIT 1) v ON true
    WHERE d.subject_type = 'process' AND d.subject_id = ANY(${processIds}) AND v.deleted_at IS NULL
    ORDER BY d.created_at, d.id`;
  return rows as unknown as DocumentLine[];
}
