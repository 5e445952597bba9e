import { answerOf, ApiError, download, hub } from './api.js';
import { h, replaceChildren, setText } from './dom.js';
import { toCardQuery, type BoardFilters } from './filters.js';
import { countOf } from './format.js';

/** Who may take bulk work in hand: administrators reassign, ops select and export. */
export const BULK_ROLES = new Set(['admin', 'ops']);

/** The process type whose processes can be reassigned (the blueprint's "reassign applications"). */
const REASSIGNABLE = 'account_opening';

/**
 * Work on several cards at once: select them on the board, reassign them (each one its own command, audited by
 * itself, its outcome shown per card), and export the filtered board as CSV.
 */
export class BulkBar {
  readonly element = h('div', { class: 'bulk-bar', role: 'group', 'aria-label': 'Bulk work' });
  private readonly toggle = h(
    'button',
    { type: 'button', class: 'select-mode', 'aria-pressed': 'false', onclick: () => this.setSelecting(!this.on) },
    'Select cards',
  );
  private readonly tools = h('div', { class: 'bulk-tools', hidden: true });
  private readonly count = h('span', { class: 'bulk-count', role: 'status' }, '0 selected');
  private readonly assignee = h('select', { name: 'assignee', 'aria-label': 'Reassign to' }) as HTMLSelectElement;
  private readonly reason = h('input', {
    type: 'text',
    name: 'bulk_reason',
    placeholder: 'Reason',
    'aria-label': 'Reason for reassigning',
    maxlength: 2000,
  }) as HTMLInputElement;
  private readonly results = h('div', { class: 'bulk-results', 'aria-live': 'polite' });
  private on = false;
  private selected: string[] = [];
  private peopleLoaded = false;

  constructor(
    private readonly processType: string,
    private readonly role: string,
    private readonly board: {
      setSelecting(on: boolean): void;
      selectAllShown(all: boolean): void;
      filtersNow: BoardFilters;
      titleOf(processId: string): string;
    },
  ) {
    const mayReassign = role === 'admin' && processType === REASSIGNABLE;
    replaceChildren(
      this.tools,
      this.count,
      h('button', { type: 'button', class: 'link', onclick: () => board.selectAllShown(true) }, 'Select all shown'),
      h('button', { type: 'button', class: 'link', onclick: () => board.selectAllShown(false) }, 'Select none'),
      mayReassign &&
        h(
          'form',
          {
            class: 'bulk-reassign',
            onsubmit: (event: Event) => {
              event.preventDefault();
              void this.reassign();
            },
          },
          this.assignee,
          this.reason,
          h('button', { type: 'submit', class: 'primary' }, 'Reassign'),
        ),
    );
    replaceChildren(
      this.element,
      h('button', { type: 'button', class: 'export-csv', onclick: () => void this.exportCsv() }, 'Export CSV'),
      this.toggle,
      this.tools,
      this.results,
    );
  }

  /** The board's selection changed. */
  selectionChanged(processIds: string[]): void {
    this.selected = processIds;
    setText(this.count, `${processIds.length} selected`);
  }

  private setSelecting(on: boolean) {
    this.on = on;
    this.toggle.setAttribute('aria-pressed', String(on));
    setText(this.toggle, on ? 'Done selecting' : 'Select cards');
    this.tools.hidden = !on;
    this.board.setSelecting(on);
    if (on && !this.peopleLoaded && this.role === 'admin') void this.loadPeople();
  }

  private async loadPeople() {
    this.peopleLoaded = true;
    const of = async (role: 'advisor' | 'compliance_officer') =>
      (await answerOf(hub.GET('/api/admin/users', { params: { query: { role, active: 'true' } } }))).users;
    try {
      const [advisors, officers] = await Promise.all([of('advisor'), of('compliance_officer')]);
      replaceChildren(
        this.assignee,
        h('option', { value: '' }, 'Reassign to…'),
        h(
          'optgroup',
          { label: 'Advisor' },
          ...advisors.map((p) => h('option', { value: `advisor_id:${p.id}` }, p.name)),
        ),
        h(
          'optgroup',
          { label: 'Compliance officer' },
          ...officers.map((p) => h('option', { value: `assigned_officer_id:${p.id}` }, p.name)),
        ),
      );
    } catch (error) {
      this.peopleLoaded = false;
      setText(this.results, error instanceof ApiError ? error.message : 'Could not load the staff');
    }
  }

  private async reassign() {
    const [field, id] = this.assignee.value.split(':');
    if (!this.selected.length) return setText(this.results, 'Select the cards to reassign first');
    if (!id) return setText(this.results, 'Choose whom to reassign to');
    if (!this.reason.value.trim()) return setText(this.results, 'A reason is required');
    setText(this.results, `Reassigning ${countOf(this.selected.length, 'card')}…`);
    try {
      const assignee = field === 'advisor_id' ? { advisor_id: id } : { assigned_officer_id: id };
      const body = { process_ids: this.selected, ...assignee, reason: this.reason.value.trim() };
      const answer = await answerOf(hub.POST('/api/applications/bulk-reassign', { body }));
      replaceChildren(
        this.results,
        h('p', {}, `${answer.done} reassigned, ${answer.refused} refused`),
        h(
          'ul',
          { class: 'bulk-outcomes' },
          ...answer.results.map((r) =>
            h(
              'li',
              { class: r.ok ? 'ok' : 'refused', 'data-process-id': r.process_id },
              `${this.board.titleOf(r.process_id)}: `,
              r.ok ? 'reassigned' : `${r.message ?? ''} (${r.code ?? ''})`,
            ),
          ),
        ),
      );
    } catch (error) {
      setText(this.results, error instanceof ApiError ? error.message : 'The reassignment failed');
    }
  }

  private async exportCsv() {
    const query = toCardQuery(this.board.filtersNow);
    query.set('process_type', this.processType);
    const day = new Date().toISOString().slice(0, 10);
    try {
      await download(`/board-export?${query}`, `${this.processType}-${day}.csv`);
    } catch (error) {
      setText(this.results, error instanceof ApiError ? error.message : 'The export failed');
    }
  }
}
