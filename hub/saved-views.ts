import { randomBytes } from 'node:crypto';
import type { Sql } from '../db/client.js';
import {
  deleteSavedView,
  getSavedView,
  insertSavedView,
  listSavedViews,
  updateSavedView,
  type SavedView,
  type SavedViewFields,
} from '../db/saved-views.js';
import { HubError } from '../workflows/errors.js';
import { visibilityFilter } from '../workflows/policy.js';
import type { Actor } from '../workflows/process-records.js';
import { specFor } from '../workflows/specs.js';
import { auditChange, auditedWork, type Subject } from './admin-access.js';

/** What a person asks to save: `team` offers the view to everyone of their role. */
export interface SavedViewInput {
  name: string;
  process_type: string;
  filters: Record<string, unknown>;
  team: boolean;
}

const subjectOf = (id: string | null): Subject => ({ type: 'saved_view', id });

/**
 * Saved board views. Anyone with a view's link may open it: it holds filters, not processes, and the board
 * it opens shows only what the opener may see. Only its owner or an administrator may change or delete it.
 */
export function createSavedViews(sql: Sql) {
  function requireBoard(actor: Actor, processType: string) {
    const spec = specFor(processType);
    if (!spec)
      throw new HubError('VALIDATION_FAILED', `process_type: no process type ${processType}`, {
        field: 'process_type',
      });
    if ('none' in visibilityFilter(spec, actor))
      throw new HubError('FORBIDDEN', `You may not see ${spec.title.toLowerCase()} processes`);
  }

  async function requireView(actor: Actor, id: string): Promise<SavedView> {
    const view = await getSavedView(sql, id);
    if (!view) throw new HubError('NOT_FOUND', `No saved view ${id}`);
    requireBoard(actor, view.process_type);
    return view;
  }

  async function requireOwned(actor: Actor, id: string): Promise<SavedView> {
    const view = await requireView(actor, id);
    if (view.owner_id !== actor.user_id && actor.role !== 'admin')
      throw new HubError('FORBIDDEN', 'Only the owner of a saved view or an administrator may change it');
    return view;
  }

  /** A team view is offered to its owner's role, also when an administrator edits someone else's. */
  const fieldsOf = (ownerRole: string, input: Partial<SavedViewInput>): Partial<SavedViewFields> => ({
    name: input.name,
    process_type: input.process_type,
    filters: input.filters,
    team_role: input.team === undefined ? undefined : input.team ? ownerRole : null,
  });

  return {
    list(actor: Actor, processType?: string): Promise<SavedView[]> {
      return listSavedViews(sql, actor, processType);
    },

    get(actor: Actor, id: string): Promise<SavedView> {
      return auditedWork(sql, actor, 'open_saved_view', subjectOf(id), () => requireView(actor, id));
    },

    create(actor: Actor, input: SavedViewInput): Promise<SavedView> {
      const id = `view_${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').toLowerCase()}`;
      return auditedWork(sql, actor, 'save_view', subjectOf(id), async () => {
        requireBoard(actor, input.process_type);
        const fields = fieldsOf(actor.role, input) as SavedViewFields;
        await sql.begin(async (tx) => {
          await insertSavedView(tx, { ...fields, id, owner_id: actor.user_id });
          await auditChange(tx, actor, 'save_view', subjectOf(id), null, fields);
        });
        return (await getSavedView(sql, id))!;
      });
    },

    update(actor: Actor, id: string, input: Partial<Omit<SavedViewInput, 'process_type'>>): Promise<SavedView> {
      return auditedWork(sql, actor, 'change_saved_view', subjectOf(id), async () => {
        const before = await requireOwned(actor, id);
        const fields = fieldsOf(before.owner_role, input);
        await sql.begin(async (tx) => {
          await updateSavedView(tx, id, fields);
          await auditChange(tx, actor, 'change_saved_view', subjectOf(id), before, fields);
        });
        return (await getSavedView(sql, id))!;
      });
    },

    remove(actor: Actor, id: string): Promise<void> {
      return auditedWork(sql, actor, 'delete_saved_view', subjectOf(id), async () => {
        const before = await requireOwned(actor, id);
        await sql.begin(async (tx) => {
          await deleteSavedView(tx, id);
          await auditChange(tx, actor, 'delete_saved_view', subjectOf(id), before, null);
        });
      });
    },
  };
}

export type SavedViews = ReturnType<typeof createSavedViews>;
