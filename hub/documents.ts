import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { fileTypeFromBuffer } from 'file-type';
import type PgBoss from 'pg-boss';
import { auditRefusal } from '../db/audit.js';
import { getClient } from '../db/catalog.js';
import type { Sql } from '../db/client.js';
import {
  auditDocumentRead,
  getDocument,
  getDocumentSettings,
  getDocumentVersion,
  listDocuments,
  markDocumentVersionDeleted,
  recordDocumentVersion,
  reviewDocumentVersion,
  type DocumentRow,
  type DocumentSubject,
  type FollowUp,
  type DocumentVersionRow,
} from '../db/documents.js';
import { inTransaction, QUEUES } from '../db/jobs.js';
import { getProcess } from '../db/processes.js';
import { hasProcessMessages } from '../db/slack.js';
import type { Logger } from '../runtime/logger.js';
import type { DocumentStore } from '../workers/storage/document-store.js';
import {
  ALLOWED_DOCUMENT_TYPES,
  CLIENT_DOCUMENT_READERS,
  DOCUMENT_KIND_LABELS,
  DOCUMENT_KINDS,
  isAllowedMediaType,
  isPreviewable,
  mayDeleteDocument,
  mayReadVersion,
  mayReviewDocument,
  mayUploadDocument,
  type DocumentKind,
} from '../workflows/documents.js';
import { HubError } from '../workflows/errors.js';
import { maySee, placed, type ProcessRelations } from '../workflows/policy.js';
import type { Actor } from '../workflows/process-records.js';
import type { ProcessSpec } from '../workflows/process-spec.js';
import { specFor } from '../workflows/specs.js';

/** Enough of the file to recognise every allowed type, office files included (their zip directory comes first). */
const SNIFF_BYTES = 64 * 1024;

export type SubjectRef = { type: 'process' | 'client'; id: string };

/** A subject the caller has been allowed to touch, with what the policy needs to know about it. */
export interface SubjectAccess {
  subject: DocumentSubject;
  relations: ProcessRelations;
  spec: ProcessSpec | undefined;
  /** The process's record, for requirements that depend on it (edd_required). */
  record: Record<string, unknown> | null;
  kinds: readonly DocumentKind[];
}

export interface UploadFields {
  kind: DocumentKind;
  title: string;
  client_visible?: boolean;
}

export interface UploadedFile {
  name: string;
  stream: Readable;
}

export interface DocumentContent {
  stream: Readable;
  version: DocumentVersionRow;
  disposition: 'inline' | 'attachment';
}

const TYPE_NAMES = 'PDF, PNG, JPEG, Word (.docx) or Excel (.xlsx)';

/**
 * Documents on processes and clients: upload (streamed, type from the content, size-limited, hashed),
 * versions, reading through the permission policy, compliance review, deletion after retention, and the
 * rule that a step needs a document accepted first. Every change and every read is audited.
 */
export function createDocumentService(deps: { sql: Sql; boss: PgBoss; store: DocumentStore; log: Logger }) {
  const { sql, boss, store, log } = deps;

  /** A process's kept Slack messages show its documents: they are rendered again with the change. */
  const refreshMessages: FollowUp = async (tx, subject) => {
    if (subject.type === 'process' && (await hasProcessMessages(tx, subject.id))) {
      await boss.send(
        QUEUES.slackProcessMessages,
        { process_id: subject.id, refresh: true },
        { db: inTransaction(tx) },
      );
    }
  };

  /** Where a refusal is filed: the subject once it is known. */
  type Place = { process_type: string | null; process_id: string | null };

  /** Every refusal in the audit trail once, under the subject it concerned. */
  async function audited<T>(actor: Actor, action: string, place: Place, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof HubError && error.status < 500 && !error.audited) {
        await auditRefusal(sql, {
          ...place,
          actor,
          action,
          code: error.code,
          message: error.message,
          details: error.details,
        });
        error.audited = true;
      }
      throw error;
    }
  }

  async function access(actor: Actor, ref: SubjectRef, place?: Place): Promise<SubjectAccess> {
    if (place) Object.assign(place, { process_type: ref.type === 'client' ? 'client' : null, process_id: ref.id });
    if (ref.type === 'client') {
      const client = await getClient(sql, ref.id);
      if (!client) throw new HubError('CLIENT_NOT_FOUND');
      const relations = placed({ client_user_id: client.user_id, advisor_id: client.advisor_id }, client);
      if (!maySee({ readers: CLIENT_DOCUMENT_READERS }, actor, relations))
        throw new HubError('FORBIDDEN', "You may not see this client's documents");
      return {
        subject: { type: 'client', id: client.id },
        relations,
        spec: undefined,
        record: null,
        kinds: DOCUMENT_KINDS,
      };
    }
    const row = await getProcess(sql, ref.id);
    const spec = row && specFor(row.process_type);
    if (!row || !spec) throw new HubError('NOT_FOUND', `No process ${ref.id}`);
    if (place) place.process_type = row.process_type;
    const relations = placed({ client_user_id: row.client_user_id, advisor_id: row.advisor_id }, row);
    if (!maySee(spec, actor, relations)) throw new HubError('FORBIDDEN', 'You may not view this process');
    return {
      subject: { type: 'process', id: row.process_id, process_type: row.process_type },
      relations,
      spec,
      record: row.detail,
      kinds: spec.documents?.kinds ?? DOCUMENT_KINDS,
    };
  }

  /** The subject's document and version, if this person may read that version. */
  async function readable(actor: Actor, place: Place, documentId: string, version?: number) {
    const document = await getDocument(sql, documentId);
    if (!document) throw new HubError('DOCUMENT_NOT_FOUND');
    const subjectAccess = await access(actor, { type: document.subject_type, id: document.subject_id }, place);
    const row = await getDocumentVersion(sql, documentId, version);
    // A client learns nothing of a document not meant for them, not even that it exists.
    if (!row || !mayReadVersion(actor, row)) throw new HubError('DOCUMENT_NOT_FOUND');
    return { document, subjectAccess, version: row };
  }

  function versionView(actor: Actor, v: DocumentVersionRow) {
    const staff = actor.role !== 'client';
    return {
      version: v.version,
      title: v.title,
      file_name: v.file_name,
      media_type: v.media_type,
      size_bytes: v.size_bytes,
      sha256: v.sha256,
      client_visible: v.client_visible,
      uploaded_by: v.uploaded_by,
      uploaded_by_name: v.uploaded_by_name,
      uploaded_at: new Date(v.uploaded_at).toISOString(),
      retain_until: new Date(v.retain_until).toISOString(),
      review_status: v.review_status,
      // Compliance's reasons are the firm's own; a client sees the decision, not the discussion.
      reviewed_by_name: staff ? v.reviewed_by_name : null,
      reviewed_at: v.reviewed_at ? new Date(v.reviewed_at).toISOString() : null,
      review_reason: staff ? v.review_reason : null,
      deleted: v.deleted_at !== null,
      previewable: v.deleted_at === null && isPreviewable(v.media_type),
      content_path: `/api/documents/${v.document_id}/versions/${v.version}/content`,
    };
  }

  function documentView(actor: Actor, document: DocumentRow, versions: DocumentVersionRow[]) {
    const shown = versions.filter((v) => mayReadVersion(actor, v)).map((v) => versionView(actor, v));
    return {
      document_id: document.id,
      subject_type: document.subject_type,
      subject_id: document.subject_id,
      kind: document.kind,
      kind_label: DOCUMENT_KIND_LABELS[document.kind],
      latest: shown[0] ?? null,
      versions: shown,
    };
  }
  type DocumentView = ReturnType<typeof documentView>;

  function requirementsOf(subjectAccess: SubjectAccess, documents: DocumentView[]) {
    if (!subjectAccess.record) return [];
    const accepted = acceptedKindsOf(documents);
    return (subjectAccess.spec?.documents?.required ?? [])
      .filter((r) => r.when === undefined || subjectAccess.record![r.when] === true)
      .map((r) => ({
        kind: r.kind,
        kind_label: DOCUMENT_KIND_LABELS[r.kind],
        command: r.command,
        met: accepted.has(r.kind),
        message: r.message,
      }));
  }

  /**
   * Streams one file into storage: its type from the first bytes, its size counted and its SHA-256 computed on
   * the way, and recorded as the next version only once stored whole. A bad file stores nothing.
   */
  async function storeFile(
    actor: Actor,
    target: SubjectAccess & { maxBytes: number },
    fields: UploadFields,
    file: UploadedFile,
  ) {
    if (!target.kinds.includes(fields.kind)) {
      throw new HubError(
        'VALIDATION_FAILED',
        `kind: ${fields.kind} is not a document this process takes (${target.kinds.join(', ')})`,
        { field: 'kind' },
      );
    }
    const chunks = file.stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const head: Buffer[] = [];
    let headBytes = 0;
    let ended = false;
    while (headBytes < SNIFF_BYTES) {
      const next = await chunks.next();
      if (next.done) {
        ended = true;
        break;
      }
      head.push(next.value);
      headBytes += next.value.length;
    }
    if (headBytes === 0)
      throw new HubError('VALIDATION_FAILED', `file: ${file.name || 'the file'} is empty`, { field: 'file' });
    const tooLarge = () =>
      new HubError('PAYLOAD_TOO_LARGE', `file: larger than the ${formatBytes(target.maxBytes)} documents may be`, {
        field: 'file',
        max_bytes: target.maxBytes,
      });
    if (headBytes > target.maxBytes) throw tooLarge();
    const detected = await fileTypeFromBuffer(Buffer.concat(head));
    if (!isAllowedMediaType(detected?.mime)) {
      const found = detected ? `${detected.mime} content` : 'not a type the hub recognises';
      throw new HubError('VALIDATION_FAILED', `file: ${file.name || 'the file'} is ${found}; upload a ${TYPE_NAMES}`, {
        field: 'file',
        detected_type: detected?.mime ?? null,
      });
    }
    const mediaType = detected!.mime as keyof typeof ALLOWED_DOCUMENT_TYPES;

    const hash = createHash('sha256');
    let size = 0;
    let refusal: HubError | undefined;
    async function* counted() {
      for (let piece: Buffer | undefined = head.shift(); piece; piece = head.shift()) yield count(piece);
      while (!ended) {
        const next = await chunks.next();
        if (next.done) break;
        yield count(next.value);
      }
    }
    function count(piece: Buffer): Buffer {
      size += piece.length;
      if (size > target.maxBytes) throw (refusal = tooLarge());
      hash.update(piece);
      return piece;
    }
    const key = `${target.subject.type}/${target.subject.id}/${randomUUID()}`;
    try {
      await store.put(key, Readable.from(counted(), { objectMode: false }), mediaType);
    } catch (error) {
      throw refusal ?? error;
    }
    try {
      const { document, version } = await recordDocumentVersion(sql, {
        subject: target.subject,
        kind: fields.kind,
        newDocumentId: `doc_${randomBytes(9).toString('base64url').replace(/[-_]/g, '').slice(0, 12).toLowerCase()}`,
        file: {
          title: fields.title,
          file_name: file.name || `${fields.kind}.${ALLOWED_DOCUMENT_TYPES[mediaType].extension}`,
          media_type: mediaType,
          extension: ALLOWED_DOCUMENT_TYPES[mediaType].extension,
          size_bytes: size,
          sha256: hash.digest('hex'),
          storage_backend: store.backend,
          storage_key: key,
          // What a client uploads is theirs to see; staff say whether the client should.
          client_visible: actor.role === 'client' ? true : (fields.client_visible ?? false),
        },
        actor,
        retentionYears: (await getDocumentSettings(sql)).retentionYears,
        followUp: refreshMessages,
      });
      return documentView(actor, document, [version]);
    } catch (error) {
      await store
        .delete(key)
        .catch((cause) => log.warn({ err: cause, key }, 'could not remove the bytes of an unrecorded document'));
      throw error;
    }
  }

  return {
    /**
     * One upload: the policy is asked before the body is read; `receive` then parses the request with the size
     * limit and hands each file to the store function, which answers with the new version.
     */
    async upload(
      actor: Actor,
      ref: SubjectRef,
      receive: (
        maxBytes: number,
        store: (fields: UploadFields, file: UploadedFile) => Promise<DocumentView>,
      ) => Promise<DocumentView>,
    ): Promise<DocumentView> {
      const place: Place = { process_type: null, process_id: ref.id };
      return audited(actor, 'upload_document', place, async () => {
        const subjectAccess = await access(actor, ref, place);
        if (!mayUploadDocument(actor, subjectAccess.relations))
          throw new HubError('FORBIDDEN', 'You may not add documents here');
        const target = { ...subjectAccess, maxBytes: (await getDocumentSettings(sql)).maxBytes };
        return receive(target.maxBytes, (fields, file) => storeFile(actor, target, fields, file));
      });
    },

    async list(actor: Actor, ref: SubjectRef) {
      const place: Place = { process_type: null, process_id: ref.id };
      return audited(actor, 'list_documents', place, async () => {
        const subjectAccess = await access(actor, ref, place);
        const documents = (await listDocuments(sql, subjectAccess.subject))
          .map((d) => documentView(actor, d, d.versions))
          .filter((d) => d.versions.length > 0);
        return {
          subject_type: subjectAccess.subject.type,
          subject_id: subjectAccess.subject.id,
          kinds: subjectAccess.kinds.map((kind) => ({ kind, label: DOCUMENT_KIND_LABELS[kind] })),
          may_upload: mayUploadDocument(actor, subjectAccess.relations),
          may_review: mayReviewDocument(actor),
          requirements: requirementsOf(subjectAccess, documents),
          documents,
        };
      });
    },

    /** The bytes of one version, after the read is in the audit trail. */
    async open(
      actor: Actor,
      documentId: string,
      versionNumber: number | undefined,
      wanted: 'inline' | 'attachment',
    ): Promise<DocumentContent> {
      const place: Place = { process_type: null, process_id: null };
      return audited(actor, wanted === 'inline' ? 'preview_document' : 'download_document', place, async () => {
        const { document, subjectAccess, version } = await readable(actor, place, documentId, versionNumber);
        if (version.deleted_at)
          throw new HubError('DOCUMENT_NOT_FOUND', 'This version was deleted after its retention period');
        const disposition = wanted === 'inline' && isPreviewable(version.media_type) ? 'inline' : 'attachment';
        await auditDocumentRead(sql, {
          subject: subjectAccess.subject,
          documentId,
          version: version.version,
          kind: document.kind,
          disposition,
          actor,
        });
        return { stream: await store.get(version.storage_key), version, disposition };
      });
    },

    async review(
      actor: Actor,
      documentId: string,
      versionNumber: number,
      decision: 'accepted' | 'rejected',
      reason: string | undefined,
    ) {
      const place: Place = { process_type: null, process_id: null };
      return audited(actor, 'review_document', place, async () => {
        const { document, subjectAccess, version } = await readable(actor, place, documentId, versionNumber);
        if (!mayReviewDocument(actor)) throw new HubError('FORBIDDEN', 'Only compliance officers review documents');
        if (version.uploaded_by === actor.user_id)
          throw new HubError('FOUR_EYES_VIOLATION', 'Four-eyes rule: you cannot review a document you uploaded');
        if (decision === 'rejected' && !reason)
          throw new HubError('VALIDATION_FAILED', 'reason: a rejection needs a reason', { field: 'reason' });
        const reviewed = await reviewDocumentVersion(sql, {
          subject: subjectAccess.subject,
          documentId,
          kind: document.kind,
          version: version.version,
          decision,
          reason: reason ?? null,
          actor,
          followUp: refreshMessages,
        });
        if (!reviewed)
          throw new HubError(
            'CONFLICT',
            `Version ${version.version} was already ${version.deleted_at ? 'deleted' : version.review_status}`,
          );
        return documentView(actor, document, [reviewed]);
      });
    },

    /** An administrator's deletion of a version whose retention period is over: the row stays, the bytes go. */
    async delete(actor: Actor, documentId: string, versionNumber: number, reason: string) {
      const place: Place = { process_type: null, process_id: null };
      return audited(actor, 'delete_document', place, async () => {
        const { document, subjectAccess, version } = await readable(actor, place, documentId, versionNumber);
        if (!mayDeleteDocument(actor)) throw new HubError('FORBIDDEN', 'Only administrators delete documents');
        if (version.deleted_at) throw new HubError('CONFLICT', `Version ${version.version} is already deleted`);
        if (new Date(version.retain_until) > new Date()) {
          throw new HubError(
            'RETENTION_PERIOD_ACTIVE',
            `Version ${version.version} must be kept until ${new Date(version.retain_until).toISOString()}`,
            {
              retain_until: new Date(version.retain_until).toISOString(),
            },
          );
        }
        const deleted = await markDocumentVersionDeleted(sql, {
          subject: subjectAccess.subject,
          documentId,
          version: version.version,
          kind: document.kind,
          reason,
          actor,
          followUp: refreshMessages,
        });
        if (!deleted)
          throw new HubError('CONFLICT', `Version ${version.version} changed meanwhile; reload and try again`);
        await store.delete(version.storage_key);
        return documentView(actor, document, [deleted]);
      });
    },
  };
}

export type DocumentService = ReturnType<typeof createDocumentService>;

function acceptedKindsOf(
  documents: { kind: string; latest: { review_status: string; deleted: boolean } | null }[],
): Set<string> {
  return new Set(
    documents.filter((d) => d.latest?.review_status === 'accepted' && !d.latest.deleted).map((d) => d.kind),
  );
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${+(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}
