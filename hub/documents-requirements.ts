import type { Queryable } from '../db/client.js';
import { getDocument, getDocumentVersion, heldDocumentKinds } from '../db/documents.js';
import { unmetRequirements } from '../workflows/documents.js';
import { HubError, isErrorCode } from '../workflows/errors.js';
import type { ProcessSpec } from '../workflows/process-spec.js';

/**
 * What a command needs from the process's documents, checked before it reaches the workflow: the steps the
 * spec says need a document accepted first, and a signed mandate named by `mandate_document_id`.
 */
export async function checkDocumentRequirements(
  db: Queryable,
  spec: Pick<ProcessSpec, 'documents'>,
  process: { process_id: string; client_id: string | null; record: Record<string, unknown> },
  command: string,
  input: object,
): Promise<void> {
  const needed = (spec.documents?.required ?? []).filter((r) => r.command === command);
  if (needed.length) {
    const [unmet] = unmetRequirements(
      spec.documents,
      command,
      process.record,
      await heldDocumentKinds(db, process.process_id),
    );
    // The specs' codes are checked against the error tables by a unit test; a typo there is a bug, not a refusal.
    if (unmet)
      throw new HubError(isErrorCode(unmet.code) ? unmet.code : 'INTERNAL_ERROR', unmet.message, {
        required_document: unmet.kind,
      });
  }
  const mandateId = (input as { mandate_document_id?: unknown }).mandate_document_id;
  if (typeof mandateId === 'string') await checkMandate(db, process, mandateId);
}

/** A mandate must be a mandate, of this application or its client, and still held. */
async function checkMandate(
  db: Queryable,
  process: { process_id: string; client_id: string | null },
  documentId: string,
) {
  const document = await getDocument(db, documentId);
  const ours =
    document &&
    ((document.subject_type === 'process' && document.subject_id === process.process_id) ||
      (document.subject_type === 'client' && document.subject_id === process.client_id));
  const latest = ours ? await getDocumentVersion(db, documentId) : undefined;
  if (!document || !ours || document.kind !== 'mandate' || !latest || latest.deleted_at) {
    throw new HubError(
      'VALIDATION_FAILED',
      `mandate_document_id: ${documentId} is not a signed mandate on this application or its client`,
      {
        field: 'mandate_document_id',
      },
    );
  }
}
