import type { BoardCard, QueryChangedEvent, QueryReadEvent, RealtimeUser } from '../../contracts/socket-events.js';
import { complianceNotesGrants } from '../../workflows/compliance-notes.js';
import { maySee } from '../../workflows/policy.js';
import { answerOf, api, ApiError, endpoint, hub } from './api.js';
import type { ProcessTypeDescriptor, Schema } from './api-types.js';
import { DocumentsPanel } from './documents-panel.js';
import { decisionRecordSection } from './decision-record-view.js';
import { h, replaceChildren, setText } from './dom.js';
import { formatMoney, formatTimestamp, humanize } from './format.js';
import type { NotesEditor } from './notes-editor.js';
import { QueryThreads, type QueriesSummary } from './query-threads.js';
import type { RealtimeClient } from './realtime.js';
import { REBALANCE_SECTION_KEYS, rebalanceSections, type RebalanceView } from './rebalance-view.js';
import { APPLICATION_SECTION_KEYS, applicationSections } from './application-sections.js';
import { OnboardingReview } from './onboarding-review.js';
import { slaBadge } from './sla-badge.js';

type Record_ = Record<string, unknown>;

type AuditEntry = Schema<'AuditEntry'>;

/** Shown in their own sections rather than among the fields. */
const SECTION_KEYS = new Set(['suitability_warnings', 'approvals', 'allowed_actions', 'progress', 'version']);

const isPlainObject = (value: unknown): value is Record_ =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

type Command = ProcessTypeDescriptor['commands'][number];
/** Refusing and stopping look different from going ahead. */
const toneOf = (command: Command) => (/reject|cancel|decline/.test(command.command) ? 'danger' : 'primary');

/** The sections a process type shows its record in, and the keys they take off the plain fields. */
interface DetailView {
  sections(record: Record_, people: Record<string, string>): HTMLElement[];
  keys: readonly string[];
}

/** The process type whose processes (applications) have compliance notes. */
const NOTES_PROCESS_TYPE = 'account_opening';

/** Made for each drawer, so a view may keep what a person is typing while the process reloads. */
const DETAIL_VIEWS: Record<string, (drawer: { user: RealtimeUser; reload(): void }) => DetailView> = {
  account_opening: () => ({ sections: applicationSections, keys: APPLICATION_SECTION_KEYS }),
  rebalancing: () => ({
    sections: (record) => rebalanceSections(record as unknown as RebalanceView),
    keys: REBALANCE_SECTION_KEYS,
  }),
  client_onboarding: (drawer) => new OnboardingReview(drawer),
};

/**
 * One process: its record (a process type may draw its own sections), suitability warnings, approvals,
 * its query threads, an application's compliance notes, the audit timeline, and the actions the
 * signed-in person may take now. It reloads whenever the process changes; threads and notes stay live.
 */
export class ProcessDrawer {
  readonly element: HTMLElement;
  private readonly header = h('header', { class: 'drawer-header' });
  private readonly message = h('p', { class: 'drawer-message', role: 'status', 'aria-live': 'polite' });
  private readonly actions = h('div', { class: 'drawer-actions' });
  private readonly body = h('div', { class: 'drawer-body' });
  private readonly collaboration = h('div', { class: 'drawer-collaboration' });
  private readonly history = h('div', { class: 'drawer-history' });
  private readonly badge = h('span', { class: 'sla-badge' });
  private readonly waiting = h('span', { class: 'waiting' });
  private readonly queries: QueryThreads;
  private readonly documents: DocumentsPanel;
  private notes: NotesEditor | undefined;
  private readonly view: DetailView | undefined;
  private notesRequested = false;
  private card: Schema<'BoardCard'> | undefined;
  private loading = 0;
  private reloadTimer: number | undefined;
  private busy = false;
  private destroyed = false;

  constructor(
    readonly processId: string,
    private readonly type: ProcessTypeDescriptor,
    private readonly options: {
      close(): void;
      user: RealtimeUser;
      realtime: RealtimeClient | undefined;
      /** The process's query summary as the drawer's threads have it now, for its card. */
      queriesChanged(summary: QueriesSummary): void;
    },
  ) {
    this.queries = new QueryThreads(
      processId,
      options.user,
      () => this.card,
      (summary) => {
        setText(this.waiting, summary.waiting_on === 'advisor' ? 'waiting on advisor' : '');
        options.queriesChanged(summary);
      },
    );
    this.documents = new DocumentsPanel(processId, options.user);
    this.view = DETAIL_VIEWS[type.process_type]?.({ user: options.user, reload: () => this.changed() });
    this.collaboration.append(this.documents.element, this.queries.element);
    this.element = h(
      'aside',
      { class: 'drawer', tabindex: -1, 'aria-label': 'Process details', 'data-process-id': processId },
      this.header,
      this.message,
      this.actions,
      this.body,
      this.collaboration,
      this.history,
    );
    this.element.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') options.close();
    });
  }

  queryChanged(event: QueryChangedEvent): void {
    this.queries.applyChange(event);
  }

  queryRead(event: QueryReadEvent): void {
    this.queries.applyRead(event);
  }

  /** Another change arrived: load again, once, shortly. */
  changed(card?: BoardCard | null): void {
    if (card) this.card = card;
    clearTimeout(this.reloadTimer);
    this.reloadTimer = window.setTimeout(() => void this.loadProcess(), 100);
  }

  /** Back from offline: what was pushed meanwhile is lost, so load everything again. */
  reconnected(): void {
    clearTimeout(this.reloadTimer);
    void this.load();
  }

  tick(now: number): void {
    const badge = slaBadge(this.card?.sla, now);
    this.badge.className = badge ? `sla-badge tone-${badge.tone}` : 'sla-badge';
    setText(this.badge, badge?.label ?? '');
  }

  destroy(): void {
    this.destroyed = true;
    clearTimeout(this.reloadTimer);
    this.loading += 1;
    this.queries.destroy();
    this.documents.destroy();
    this.notes?.destroy();
  }

  /** The process and its query threads. */
  async load(): Promise<void> {
    await Promise.all([this.loadProcess(), this.queries.load(), this.documents.load()]);
  }

  /**
   * An application's compliance notes, for those who may read them (never the client). The editor and
   * Yjs load only when a drawer shows notes, so the board itself stays small.
   */
  private async showNotes(card: Schema<'BoardCard'>) {
    if (this.notesRequested || card.process_type !== NOTES_PROCESS_TYPE || !this.options.realtime) return;
    const principal = { user_id: this.options.user.id, role: this.options.user.role };
    if (!maySee(complianceNotesGrants, principal, { client_user_id: card.client_user_id, advisor_id: card.advisor_id }))
      return;
    this.notesRequested = true;
    let NotesEditor: typeof import('./notes-editor.js').NotesEditor;
    try {
      ({ NotesEditor } = await import('./notes-editor.js'));
    } catch {
      this.notesRequested = false;
      return this.say('The compliance notes could not be loaded; they load again with the next change', 'error');
    }
    if (this.destroyed) return;
    this.notes = new NotesEditor(this.processId, this.options.user, this.options.realtime);
    this.collaboration.append(this.notes.element);
  }

  private async loadProcess(): Promise<void> {
    const attempt = ++this.loading;
    try {
      const [detail, audit, generic, decisions] = await Promise.all([
        api<Record_>('GET', endpoint(this.type.links.detail, this.processId)),
        api<{ audit: AuditEntry[] }>('GET', endpoint(this.type.links.audit, this.processId)),
        answerOf(hub.GET('/api/processes/{id}', { params: { path: { id: this.processId } } })),
        // Firm staff only: it holds internal compliance notes.
        this.options.user.role === 'client'
          ? null
          : answerOf(
              hub.GET('/api/processes/{id}/decision-record', { params: { path: { id: this.processId } } }),
            ).catch(() => null),
      ]);
      if (attempt !== this.loading) return;
      this.card = generic.card;
      // The generic detail wraps the record; a process type's own endpoint returns it bare.
      const record = isPlainObject(detail.detail) && isPlainObject(detail.card) ? detail.detail : detail;
      this.render(record, generic.people ?? {}, audit.audit, decisions);
      void this.showNotes(generic.card);
    } catch (error) {
      if (attempt !== this.loading) return;
      this.say(error instanceof ApiError ? `${error.message} (${error.code})` : 'Could not load the process', 'error');
    }
  }

  private say(text: string, tone: 'error' | 'ok' | '' = '') {
    this.message.className = `drawer-message ${tone}`;
    setText(this.message, text);
  }

  private render(
    record: Record_,
    people: Record<string, string>,
    audit: AuditEntry[],
    decisions: Schema<'DecisionRecord'> | null,
  ) {
    const card = this.card!;
    const state = this.type.states.find((s) => s.id === card.status);
    replaceChildren(
      this.header,
      h(
        'div',
        { class: 'drawer-title' },
        h('h2', {}, card.title),
        h(
          'button',
          { type: 'button', class: 'icon close', 'aria-label': 'Close', onclick: () => this.options.close() },
          '×',
        ),
      ),
      h(
        'div',
        { class: 'drawer-subtitle' },
        h('span', { class: 'status-pill', 'data-status': card.status }, state?.label ?? card.status),
        this.badge,
        this.waiting,
        h(
          'span',
          { class: 'muted' },
          [this.type.title, formatMoney(card.amount, card.currency), card.advisor_name].filter(Boolean).join(' · '),
        ),
      ),
      h('code', { class: 'muted' }, card.process_id),
    );
    this.tick(Date.now());
    this.renderActions(record, card);

    const warnings = Array.isArray(record.suitability_warnings) ? (record.suitability_warnings as Record_[]) : [];
    const approvals = Array.isArray(record.approvals) ? (record.approvals as Record_[]) : undefined;
    const view = this.view;
    replaceChildren(
      this.body,
      ...(view?.sections(record, people) ?? []),
      warnings.length > 0 &&
        h(
          'section',
          { class: 'warnings' },
          h('h3', {}, 'Suitability warnings'),
          h('ul', {}, ...warnings.map((w) => h('li', {}, String(w.message ?? JSON.stringify(w))))),
        ),
      approvals &&
        h(
          'section',
          { class: 'approvals' },
          h('h3', {}, `Approvals ${approvals.length} of ${String(record.approvals_required ?? 1)}`),
          approvals.length
            ? h(
                'ul',
                {},
                ...approvals.map((a) =>
                  h(
                    'li',
                    {},
                    `${String(a.approver_name)} (${humanize(String(a.role))}, ${String(a.channel)}) — ${formatTimestamp(String(a.at))}`,
                    a.notes ? h('q', {}, String(a.notes)) : null,
                  ),
                ),
              )
            : h('p', { class: 'muted' }, 'No approvals yet'),
        ),
      decisionRecordSection(decisions),
    );
    const fields = this.fields(record, view?.keys ?? []);
    replaceChildren(
      this.history,
      fields.childElementCount > 0 &&
        h('section', { class: 'fields' }, h('h3', {}, view ? 'Other fields' : 'Fields'), fields),
      h('section', { class: 'timeline' }, h('h3', {}, 'Timeline'), this.timeline(audit)),
    );
  }

  /** The board's commands this person may take on this process now, and nothing else. */
  private renderActions(record: Record_, card: Schema<'BoardCard'>) {
    const allowed = Array.isArray(record.allowed_actions) ? (record.allowed_actions as string[]) : [];
    const commands = this.type.commands.filter((c) => allowed.includes(c.command) && c.from.includes(card.status));
    replaceChildren(
      this.actions,
      ...commands.map((command) =>
        h(
          'button',
          {
            type: 'button',
            class: toneOf(command),
            'data-command': command.command,
            disabled: this.busy,
            onclick: () => (command.input ? this.askFor(command) : void this.run(command, {})),
          },
          command.label,
        ),
      ),
    );
  }

  private askFor(command: Command) {
    const input = command.input!;
    const text = h('textarea', {
      name: input.field,
      rows: 3,
      'aria-required': String(input.required),
      'aria-label': input.label,
      maxlength: 2000,
    }) as HTMLTextAreaElement;
    const form = h(
      'form',
      {
        class: 'action-form',
        onsubmit: (event: Event) => {
          event.preventDefault();
          const value = text.value.trim();
          if (input.required && !value) return this.say(`${input.label} is required`, 'error');
          void this.run(command, value ? { [input.field]: value } : {});
        },
      },
      h('label', {}, input.label, input.required ? '' : ' (optional)', text),
      h(
        'div',
        { class: 'row' },
        h('button', { type: 'submit', class: toneOf(command), 'data-confirm': command.command }, command.label),
        h('button', { type: 'button', onclick: () => this.changed() }, 'Back'),
      ),
    );
    replaceChildren(this.actions, form);
    text.focus();
  }

  private async run(command: Command, body: Record_) {
    this.busy = true;
    this.say(`${command.label}…`);
    for (const button of this.actions.querySelectorAll('button')) button.disabled = true;
    try {
      await api('POST', endpoint(command.path, this.processId), body);
      this.say(`${command.label}: done`, 'ok');
    } catch (error) {
      this.say(error instanceof ApiError ? `${error.message} (${error.code})` : `${command.label} failed`, 'error');
    } finally {
      this.busy = false;
      await this.loadProcess();
    }
  }

  private fields(record: Record_, shownElsewhere: readonly string[]): HTMLElement {
    const list = h('dl', {});
    // Alphabetical: the stored record's key order is the database's, not a reader's.
    for (const [key, value] of Object.entries(record).sort(([a], [b]) => a.localeCompare(b))) {
      if (SECTION_KEYS.has(key) || shownElsewhere.includes(key)) continue;
      list.append(h('dt', {}, humanize(key)), h('dd', {}, this.value(value)));
    }
    return list;
  }

  private value(value: unknown): Node | string {
    if (value === null || value === undefined || value === '') return h('span', { class: 'muted' }, '—');
    if (typeof value === 'boolean') return value ? 'yes' : 'no';
    if (Array.isArray(value)) {
      if (value.length === 0) return h('span', { class: 'muted' }, 'none');
      if (value.every(isPlainObject)) {
        const keys = [...new Set(value.flatMap((row) => Object.keys(row)))];
        return h(
          'table',
          {},
          h('thead', {}, h('tr', {}, ...keys.map((k) => h('th', {}, humanize(k))))),
          h('tbody', {}, ...value.map((row) => h('tr', {}, ...keys.map((k) => h('td', {}, this.value(row[k])))))),
        );
      }
      return value.map(String).join(', ');
    }
    if (isPlainObject(value)) {
      const nested = h('dl', { class: 'nested' });
      for (const [k, v] of Object.entries(value)) nested.append(h('dt', {}, humanize(k)), h('dd', {}, this.value(v)));
      return nested;
    }
    if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) return formatTimestamp(value);
    return String(value);
  }

  private timeline(audit: AuditEntry[]): HTMLElement {
    if (audit.length === 0) return h('p', { class: 'muted' }, 'Nothing recorded yet');
    const label = (status: string | null) =>
      status ? (this.type.states.find((s) => s.id === status)?.label ?? status) : '';
    return h(
      'ol',
      { class: 'timeline-list' },
      ...[...audit]
        .reverse()
        .map((entry) =>
          h(
            'li',
            { class: entry.outcome, 'data-action': entry.action },
            h('time', { datetime: entry.at }, formatTimestamp(entry.at)),
            h(
              'div',
              {},
              h('strong', {}, humanize(entry.action)),
              entry.status_before !== entry.status_after && entry.outcome === 'accepted'
                ? ` ${label(entry.status_before) || 'new'} → ${label(entry.status_after)}`
                : '',
              entry.outcome === 'refused'
                ? h('span', { class: 'refused-code' }, ` refused: ${entry.error_code ?? ''}`)
                : null,
            ),
            h(
              'div',
              { class: 'muted' },
              `${entry.actor_name ?? entry.actor_role} (${humanize(entry.actor_role)}) via ${entry.channel}`,
            ),
          ),
        ),
    );
  }
}
