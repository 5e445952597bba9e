import type { CommandSpec, ProcessSpec } from './process-spec.js';

/**
 * Who may read and write an application's collaborative compliance notes, in the shape the permission
 * policy reads. They are the firm's internal working notes: the advisor on the application and staff read
 * them, the client does not; compliance officers and admins write.
 */
export const complianceNotesGrants = {
  readers: { advisor: 'own', compliance_officer: 'any', manager: 'any', ops: 'any', admin: 'any' },
  commands: {
    edit_compliance_notes: {
      label: 'Edit compliance notes',
      from: [],
      roles: { compliance_officer: 'any', admin: 'any' },
      board: true,
    } satisfies CommandSpec<string>,
  },
} as const satisfies Pick<ProcessSpec, 'commands' | 'readers'>;

/** The Y.Text inside each notes document. */
export const COMPLIANCE_NOTES_TEXT = 'notes';
