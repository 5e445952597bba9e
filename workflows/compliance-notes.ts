import { GRANTS } from './grants.js';

/** Who may read and write an application's compliance notes (see GRANTS). */
export const complianceNotesGrants = GRANTS.compliance_notes;

/** The Y.Text inside each notes document. */
export const COMPLIANCE_NOTES_TEXT = 'notes';
