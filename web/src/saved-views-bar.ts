import type { RealtimeUser } from '../../contracts/socket-events.js';
import { answerOf, ApiError, hub } from './api.js';
import type { Schema } from './api-types.js';
import { h, replaceChildren, setText } from './dom.js';
import type { BoardFilters } from './filters.js';
import { viewHash } from './router.js';

export type SavedView = Schema<'SavedView'>;

/** The link that opens a saved view, for anyone who may see its board. */
export const viewLink = (id: string) => `${location.origin}${location.pathname}${viewHash(id)}`;

/**
 * Saved views of one board: pick one (its link opens it), save the current filters under a name, for oneself or
 * the team, and delete one of one's own.
 */
export class SavedViewsBar {
  readonly element = h('div', { class: 'saved-views', role: 'group', 'aria-label': 'Saved views' });
  private readonly picker = h('select', {
    name: 'saved_view',
    'aria-label': 'Saved view',
    onchange: () => this.pick(),
  }) as HTMLSelectElement;
  private readonly panel = h('div', { class: 'saved-view-panel' });
  private readonly message = h('span', { class: 'saved-view-message', role: 'status' });
  private views: SavedView[] = [];

  constructor(
    private readonly processType: string,
    private readonly user: RealtimeUser,
    private readonly currentFilters: () => BoardFilters,
    /** The view opened from its link, if the board shows one. */
    private active: string | null,
  ) {
    replaceChildren(
      this.element,
      this.picker,
      h('button', { type: 'button', class: 'save-view', onclick: () => this.askName() }, 'Save view'),
      this.panel,
      this.message,
    );
  }

  async load(): Promise<void> {
    try {
      const query = { process_type: this.processType };
      this.views = (await answerOf(hub.GET('/api/saved-views', { params: { query } }))).saved_views;
    } catch (error) {
      this.say(error instanceof ApiError ? error.message : 'Saved views could not be loaded');
    }
    this.render();
  }

  /** The board's filters changed by hand: they are no longer the saved view's. */
  filtersEdited(): void {
    if (!this.active) return;
    this.active = null;
    this.render();
  }

  private render() {
    const known = this.views.some((v) => v.id === this.active);
    replaceChildren(
      this.picker,
      h('option', { value: '' }, 'Saved views…'),
      ...this.views.map((view) =>
        h(
          'option',
          { value: view.id, selected: view.id === this.active },
          view.team_role ? `${view.name} (team)` : view.name,
        ),
      ),
      this.active && !known ? h('option', { value: this.active, selected: true }, 'Shared view') : null,
    );
    const view = this.views.find((v) => v.id === this.active);
    if (view && !this.panel.querySelector('form')) this.showLink(view);
    else if (!this.active) replaceChildren(this.panel);
  }

  private pick() {
    const id = this.picker.value;
    if (id) location.hash = viewHash(id);
  }

  private showLink(view: SavedView) {
    const mayChange = view.owner_id === this.user.id || this.user.role === 'admin';
    replaceChildren(
      this.panel,
      h(
        'label',
        { class: 'view-link' },
        'Link',
        h('input', { type: 'text', readonly: true, value: viewLink(view.id), name: 'view_link', size: 28 }),
      ),
      mayChange &&
        h(
          'button',
          { type: 'button', class: 'link danger-link', onclick: () => void this.remove(view) },
          'Delete view',
        ),
    );
  }

  private askName() {
    const name = h('input', { type: 'text', name: 'view_name', maxlength: 100, required: true }) as HTMLInputElement;
    const team = h('input', { type: 'checkbox', name: 'view_team' }) as HTMLInputElement;
    replaceChildren(
      this.panel,
      h(
        'form',
        {
          class: 'save-view-form',
          onsubmit: (event: Event) => {
            event.preventDefault();
            void this.save(name.value.trim(), team.checked);
          },
        },
        h('label', {}, 'Name', name),
        this.user.role !== 'client' && h('label', { class: 'check' }, team, 'Team view'),
        h('button', { type: 'submit', class: 'primary' }, 'Save'),
        h('button', { type: 'button', onclick: () => (replaceChildren(this.panel), this.render()) }, 'Cancel'),
      ),
    );
    name.focus();
  }

  private async save(name: string, team: boolean) {
    if (!name) return this.say('A name is required');
    try {
      const body = { name, process_type: this.processType, filters: this.currentFilters(), team };
      const view = await answerOf(hub.POST('/api/saved-views', { body }));
      this.views = [...this.views, view].sort((a, b) => a.name.localeCompare(b.name));
      this.active = view.id;
      replaceChildren(this.panel);
      this.say(`Saved “${view.name}”`);
      history.replaceState(null, '', viewHash(view.id));
      this.render();
    } catch (error) {
      this.say(error instanceof ApiError ? error.message : 'The view could not be saved');
    }
  }

  private async remove(view: SavedView) {
    try {
      await answerOf(hub.DELETE('/api/saved-views/{id}', { params: { path: { id: view.id } } }));
      this.views = this.views.filter((v) => v.id !== view.id);
      this.active = null;
      this.say(`Deleted “${view.name}”`);
      this.render();
    } catch (error) {
      this.say(error instanceof ApiError ? error.message : 'The view could not be deleted');
    }
  }

  private say(text: string) {
    setText(this.message, text);
  }
}
