import * as Y from 'yjs';
import type { Queryable } from '../db/client.js';
import type { ProcessRow } from '../db/processes.js';
import { applyStoredYjsDocument, loadYjsDocument } from '../db/yjs-documents.js';
import { accountOpeningSpec } from '../workflows/account-opening/spec.js';
import { COMPLIANCE_NOTES_TEXT, complianceNotesGrants } from '../workflows/compliance-notes.js';
import { mayRun, maySee, type Principal, type ProcessRelations, type Scope } from '../workflows/policy.js';
import type { Role } from '../workflows/process-spec.js';

/** The Yjs document holding an application's compliance notes. */
export const complianceNotesDocument = (applicationId: string) => `compliance-notes/${applicationId}`;

const principalOf = (person: { id: string; role: string; scope?: Scope }): Principal => ({
  user_id: person.id,
  role: person.role as Role,
  ...(person.scope ? { scope: person.scope } : {}),
});
const relationsOf = (process: ProcessRow): ProcessRelations => ({
  office_id: process.office_id,
  team_id: process.team_id,
  client_user_id: process.client_user_id,
  advisor_id: process.advisor_id,
});

export const isApplication = (process: ProcessRow) => process.process_type === accountOpeningSpec.processType;

export function mayReadComplianceNotes(
  process: ProcessRow,
  person: { id: string; role: string; scope?: Scope },
): boolean {
  return isApplication(process) && maySee(complianceNotesGrants, principalOf(person), relationsOf(process));
}

export function mayWriteComplianceNotes(
  process: ProcessRow,
  person: { id: string; role: string; scope?: Scope },
): boolean {
  return (
    mayReadComplianceNotes(process, person) &&
    mayRun(complianceNotesGrants, 'edit_compliance_notes', principalOf(person), relationsOf(process))
  );
}

/** The notes' plain text as stored now (every accepted edit is stored before anyone sees it), or null if there are none. */
export async function complianceNotesText(
  db: Queryable,
  applicationId: string,
  onBadUpdate: (id: number | 'snapshot', error: unknown) => void = () => {},
): Promise<string | null> {
  const stored = await loadYjsDocument(db, complianceNotesDocument(applicationId));
  if (!stored) return null;
  const doc = new Y.Doc();
  try {
    applyStoredYjsDocument(doc, stored, null, onBadUpdate);
    const text = doc.getText(COMPLIANCE_NOTES_TEXT).toString();
    return text.trim() === '' ? null : text;
  } finally {
    doc.destroy();
  }
}
