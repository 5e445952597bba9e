import type { CommandSpec, ProcessSpec } from './process-spec.js';

/**
 * Who may write an application's collaborative compliance notes, in the shape the permission policy reads.
 * Everyone who may see the application (its spec's readers) may read them.
 */
export const complianceNotesGrants = {
  commands: {
    edit_compliance_notes: {
      label: 'Edit compliance notes',
      from: [],
      roles: { compliance_officer: 'any', admin: 'any' },
      board: true,
    } satisfies CommandSpec<string>,
  },
} as const satisfies Pick<ProcessSpec, 'commands'>;

/** The Y.Text inside each notes document. */
export const COMPLIANCE_NOTES_TEXT = 'notes';
