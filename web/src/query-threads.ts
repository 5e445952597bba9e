import type {
  BoardCard,
  MentionRef,
  ProcessQueriesSummary,
  QueryChangedEvent,
  QueryKind,
  QueryReadEvent,
  QueryThreadView,
  RealtimeUser,
} from '../../contracts/socket-events.js';
import { mayCloseQuery } from '../../workflows/query-threads.js';
import { answerOf, ApiError, hub } from './api.js';
import { h, replaceChildren, setText } from './dom.js';
import { formatTimestamp, humanize } from './format.js';
import {
  applyQueryChange,
  markThreadRead,
  mentionAt,
  mentionCandidates,
  mentionSegments,
  totalUnread,
} from './query-thread-model.js';

/** What the drawer and the cards show about a process's queries, for the signed-in person. */
export type QueriesSummary = Omit<ProcessQueriesSummary, 'process_id'> & { unread: number };

const KINDS: { kind: QueryKind; label: string }[] = [
  { kind: 'question_to_advisor', label: 'Question to the advisor' },
  { kind: 'document_request', label: 'Request for a document' },
  { kind: 'operational_issue', label: 'Operational issue' },
];
const kindLabel = (kind: QueryKind) => KINDS.find((k) => k.kind === kind)?.label ?? humanize(kind);

const ENTRY_VERBS: Record<QueryThreadView['entries'][number]['kind'], string> = {
  opened: 'asked',
  replied: 'replied',
  resolved: 'resolved',
  reopened: 'reopened',
};

const errorText = (error: unknown, fallback: string) =>
  error instanceof ApiError ? `${error.message} (${error.code})` : fallback;

/** The parts of one query's element that change. */
interface QueryElement {
  el: HTMLElement;
  toggle: HTMLButtonElement;
  status: HTMLElement;
  assignee: HTMLElement;
  unread: HTMLElement;
  waiting: HTMLElement;
  thread: HTMLElement;
  entries: HTMLElement;
  renderedUpTo: number;
  reply: HTMLFormElement;
  replyText: HTMLTextAreaElement;
  actions: HTMLElement;
  message: HTMLElement;
}

/** A body with its resolved mentions highlighted. */
function bodyWithMentions(body: string | null, mentions: readonly MentionRef[]): HTMLElement {
  return h(
    'p',
    { class: 'entry-body' },
    ...mentionSegments(body ?? '', mentions).map((segment) =>
      segment.mention
        ? h(
            'span',
            { class: 'mention', title: `${segment.mention.name} (${humanize(segment.mention.role)})` },
            segment.text,
          )
        : segment.text,
    ),
  );
}

/**
 * A textarea that suggests people as an @handle is typed; picking one writes the handle. `people` loads
 * the candidates once, when first needed.
 */
function mentionTextarea(
  attributes: Record<string, string | number | boolean>,
  people: () => Promise<MentionRef[]>,
): { wrap: HTMLElement; textarea: HTMLTextAreaElement } {
  const textarea = h('textarea', { ...attributes, maxlength: 10_000 }) as HTMLTextAreaElement;
  const suggestions = h('ul', { class: 'mention-suggestions', role: 'listbox', hidden: true });
  const suggest = async () => {
    const typed = mentionAt(textarea.value, textarea.selectionEnd);
    if (!typed) return void (suggestions.hidden = true);
    const candidates = mentionCandidates(await people().catch(() => []), typed.prefix);
    // A handle typed out in full needs no suggestion.
    suggestions.hidden = candidates.length === 0 || candidates.some((person) => person.handle === typed.prefix);
    replaceChildren(
      suggestions,
      ...candidates.map((person) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              'data-handle': person.handle,
              // Before the textarea loses focus, so the caret is still where the handle goes.
              onmousedown: (event: Event) => event.preventDefault(),
              onclick: () => {
                const at = mentionAt(textarea.value, textarea.selectionEnd);
                if (!at) return;
                const before = `${textarea.value.slice(0, at.start)}@${person.handle} `;
                textarea.value = before + textarea.value.slice(textarea.selectionEnd);
                textarea.setSelectionRange(before.length, before.length);
                suggestions.hidden = true;
                textarea.focus();
              },
            },
            `@${person.handle}`,
            h('span', { class: 'muted' }, ` ${person.name}`),
          ),
        ),
      ),
    );
  };
  textarea.addEventListener('input', () => void suggest());
  textarea.addEventListener('blur', () => (suggestions.hidden = true));
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !suggestions.hidden) {
      suggestions.hidden = true;
      event.stopPropagation();
    }
  });
  return { wrap: h('div', { class: 'mention-wrap' }, textarea, suggestions), textarea };
}

/**
 * A process's query threads in the drawer: open one, reply, resolve and reopen (offered only to whom the
 * API allows), live from `query:changed` in order and once, with the signed-in person's unread counts.
 */
export class QueryThreads {
  readonly element: HTMLElement;
  private readonly counts = h('span', { class: 'queries-counts muted' });
  private readonly list = h('ol', { class: 'query-list' });
  private readonly message = h('p', { class: 'queries-message', role: 'status' });
  private readonly askButton = h('button', { type: 'button', class: 'ask' }, 'Ask a question') as HTMLButtonElement;
  private form: HTMLFormElement | undefined;
  private queries: QueryThreadView[] = [];
  private readonly elements = new Map<string, QueryElement>();
  private readonly expanded = new Set<string>();
  /** Changes that arrive while the threads load are applied on top of what the load returns. */
  private pending: QueryChangedEvent[] | null = null;
  private people: Promise<MentionRef[]> | undefined;
  private loads = 0;
  private destroyed = false;
  /** Threads left open in a hidden tab are read when the tab is looked at again. */
  private readonly onVisible = () => {
    if (document.visibilityState !== 'visible') return;
    for (const query of this.queries) if (query.unread > 0 && this.expanded.has(query.id)) void this.markRead(query.id);
  };

  constructor(
    private readonly processId: string,
    private readonly user: RealtimeUser,
    private readonly card: () => Pick<BoardCard, 'advisor_id' | 'advisor_name'> | undefined,
    private readonly summaryChanged: (summary: QueriesSummary) => void,
  ) {
    this.askButton.addEventListener('click', () => this.showForm());
    document.addEventListener('visibilitychange', this.onVisible);
    this.element = h(
      'section',
      { class: 'queries', 'aria-label': 'Queries' },
      h(
        'div',
        { class: 'queries-head' },
        h('h3', {}, 'Queries'),
        this.counts,
        h('span', { class: 'spacer' }),
        this.askButton,
      ),
      this.message,
      this.list,
    );
  }

  destroy(): void {
    this.destroyed = true;
    this.loads += 1;
    document.removeEventListener('visibilitychange', this.onVisible);
  }

  async load(): Promise<void> {
    const attempt = ++this.loads;
    this.pending = this.pending ?? [];
    try {
      const loaded = await answerOf(
        hub.GET('/api/processes/{id}/queries', { params: { path: { id: this.processId } } }),
      );
      if (attempt !== this.loads) return;
      const pending = this.pending ?? [];
      this.pending = null;
      this.queries = loaded.queries;
      for (const event of pending)
        this.queries = applyQueryChange(this.queries, event, this.user.id, (id) => this.isReading(id)).queries;
      this.render();
    } catch (error) {
      if (attempt !== this.loads) return;
      this.pending = null;
      this.say(errorText(error, 'Could not load the queries'), 'error');
    }
  }

  /** A `query:changed` for this process. */
  applyChange(event: QueryChangedEvent): void {
    if (event.process_id !== this.processId || this.destroyed) return;
    if (this.pending) return void this.pending.push(event);
    const { queries, outcome } = applyQueryChange(this.queries, event, this.user.id, (id) => this.isReading(id));
    if (outcome === 'gap') return void this.load();
    if (outcome === 'duplicate') return;
    this.queries = queries;
    this.render();
    // Written by someone else into a thread that is open in front of this person: read.
    if (event.entry.author.id !== this.user.id && this.isReading(event.query.id)) void this.markRead(event.query.id);
  }

  /** This person read a thread in another tab. */
  applyRead(event: QueryReadEvent): void {
    if (event.process_id !== this.processId) return;
    this.queries = markThreadRead(this.queries, event.query_id, event.read_sequence, this.user.id);
    this.render();
  }

  private isReading(queryId: string) {
    return this.expanded.has(queryId) && document.visibilityState === 'visible';
  }

  private say(text: string, tone: 'error' | 'ok' | '' = '') {
    this.message.className = `queries-message ${tone}`;
    setText(this.message, text);
  }

  private loadPeople(): Promise<MentionRef[]> {
    this.people ??= answerOf(hub.GET('/api/processes/{id}/people', { params: { path: { id: this.processId } } })).then(
      (r) => r.people,
    );
    this.people.catch(() => (this.people = undefined));
    return this.people;
  }

  private render() {
    // Every query of the process is here, so its summary is too.
    const open = this.queries.filter((q) => q.status === 'open');
    const summary: QueriesSummary = {
      open: open.length,
      unread: totalUnread(this.queries),
      waiting_on: open.some((q) => q.waiting_on === 'advisor') ? 'advisor' : null,
    };
    setText(
      this.counts,
      this.queries.length === 0
        ? 'none yet'
        : [`${summary.open} open`, summary.unread ? `${summary.unread} unread` : ''].filter(Boolean).join(' · '),
    );
    const seen = new Set<string>();
    for (const query of this.queries) {
      seen.add(query.id);
      let element = this.elements.get(query.id);
      if (!element) {
        element = this.createQuery(query);
        this.elements.set(query.id, element);
        this.list.append(element.el);
      }
      this.fillQuery(element, query);
    }
    for (const [id, element] of this.elements) {
      if (seen.has(id)) continue;
      element.el.remove();
      this.elements.delete(id);
    }
    this.summaryChanged(summary);
  }

  private createQuery(query: QueryThreadView): QueryElement {
    const part = (cls: string) => h('span', { class: cls });
    const toggle = h('button', {
      type: 'button',
      class: 'query-toggle',
      'aria-expanded': 'false',
    }) as HTMLButtonElement;
    const replyArea = mentionTextarea(
      { name: 'body', rows: 2, 'aria-label': 'Reply', placeholder: 'Reply… (@ to mention someone)' },
      () => this.loadPeople(),
    );
    const reply = h(
      'form',
      { class: 'reply-form' },
      replyArea.wrap,
      h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary' }, 'Reply')),
    ) as HTMLFormElement;
    const element: QueryElement = {
      el: h('li', { class: 'query', 'data-query-id': query.id }),
      toggle,
      status: part('query-status'),
      assignee: part('query-assignee muted'),
      unread: part('unread-badge'),
      waiting: part('waiting'),
      thread: h('div', { class: 'query-thread', hidden: true }),
      entries: h('ol', { class: 'query-entries' }),
      renderedUpTo: 0,
      reply,
      replyText: replyArea.textarea,
      actions: h('div', { class: 'query-actions' }),
      message: h('p', { class: 'query-message', role: 'status' }),
    };
    replaceChildren(
      toggle,
      h('span', { class: 'query-title' }, query.title),
      element.status,
      element.waiting,
      element.unread,
      h('span', { class: 'query-kind muted' }, kindLabel(query.kind)),
      element.assignee,
    );
    toggle.addEventListener('click', () => this.toggle(query.id));
    reply.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.reply(query.id, element);
    });
    element.thread.append(element.entries, element.message, reply, element.actions);
    element.el.append(toggle, element.thread);
    return element;
  }

  private fillQuery(element: QueryElement, query: QueryThreadView) {
    element.el.dataset.status = query.status;
    element.status.className = `query-status ${query.status}`;
    setText(element.status, query.status === 'open' ? 'open' : 'resolved');
    setText(element.assignee, `to ${query.assignee.name}`);
    setText(element.waiting, query.waiting_on === 'advisor' ? 'waiting on advisor' : '');
    setText(element.unread, query.unread ? `${query.unread} unread` : '');
    const expanded = this.expanded.has(query.id);
    element.thread.hidden = !expanded;
    element.toggle.setAttribute('aria-expanded', String(expanded));
    // Entries only grow, in order: append the new ones, keep what is there (and any reply being typed).
    for (const entry of query.entries) {
      if (entry.sequence <= element.renderedUpTo) continue;
      element.entries.append(
        h(
          'li',
          { class: `entry ${entry.kind}`, 'data-sequence': entry.sequence, 'data-kind': entry.kind },
          h(
            'div',
            { class: 'entry-meta' },
            h('strong', {}, entry.author.name),
            ` ${ENTRY_VERBS[entry.kind]} `,
            h('time', { datetime: entry.created_at, class: 'muted' }, formatTimestamp(entry.created_at)),
          ),
          entry.body ? bodyWithMentions(entry.body, entry.mentions) : null,
        ),
      );
      element.renderedUpTo = entry.sequence;
    }
    element.reply.hidden = query.status !== 'open';
    const mayClose = mayCloseQuery(this.user, { created_by: query.created_by.id });
    replaceChildren(
      element.actions,
      mayClose &&
        query.status === 'open' &&
        h(
          'button',
          { type: 'button', 'data-action': 'resolve', onclick: () => void this.close(query.id, 'resolve', element) },
          'Resolve',
        ),
      mayClose &&
        query.status === 'resolved' &&
        h(
          'button',
          { type: 'button', 'data-action': 'reopen', onclick: () => void this.close(query.id, 'reopen', element) },
          'Reopen',
        ),
    );
  }

  private toggle(queryId: string) {
    if (this.expanded.has(queryId)) this.expanded.delete(queryId);
    else this.expanded.add(queryId);
    this.render();
    const query = this.queries.find((q) => q.id === queryId);
    if (query && this.expanded.has(queryId) && query.unread > 0) void this.markRead(queryId);
  }

  private async markRead(queryId: string) {
    const query = this.queries.find((q) => q.id === queryId);
    if (!query) return;
    try {
      const read = await answerOf(
        hub.POST('/api/queries/{id}/read', {
          params: { path: { id: queryId } },
          body: { sequence: query.sequence },
        }),
      );
      this.queries = markThreadRead(this.queries, queryId, read.read_sequence, this.user.id);
      this.render();
    } catch {
      // Still unread: the count stays, and the next look marks it.
    }
  }

  /** The view the API answered with, unless a newer one is already shown. */
  private upsert(view: QueryThreadView) {
    const current = this.queries.find((q) => q.id === view.id);
    if (current && (current.entries.at(-1)?.sequence ?? 0) > (view.entries.at(-1)?.sequence ?? 0)) return;
    this.queries = current ? this.queries.map((q) => (q.id === view.id ? view : q)) : [...this.queries, view];
    this.render();
  }

  private async reply(queryId: string, element: QueryElement) {
    // Sent even when empty: the API says what is missing.
    const body = element.replyText.value.trim();
    this.sayIn(element, 'Sending…');
    const button = element.reply.querySelector('button[type=submit]') as HTMLButtonElement;
    button.disabled = true;
    try {
      const view = await answerOf(
        hub.POST('/api/queries/{id}/replies', { params: { path: { id: queryId } }, body: { body } }),
      );
      element.replyText.value = '';
      this.sayIn(element, '');
      this.upsert(view);
    } catch (error) {
      this.sayIn(element, errorText(error, 'The reply was not sent'), 'error');
    } finally {
      button.disabled = false;
    }
  }

  private async close(queryId: string, action: 'resolve' | 'reopen', element: QueryElement) {
    for (const button of element.actions.querySelectorAll('button')) button.disabled = true;
    try {
      const params = { path: { id: queryId } };
      const view = await answerOf(
        action === 'resolve'
          ? hub.POST('/api/queries/{id}/resolve', { params })
          : hub.POST('/api/queries/{id}/reopen', { params }),
      );
      this.sayIn(element, '');
      this.upsert(view);
    } catch (error) {
      this.sayIn(
        element,
        errorText(error, action === 'resolve' ? 'Could not resolve the query' : 'Could not reopen the query'),
        'error',
      );
      for (const button of element.actions.querySelectorAll('button')) button.disabled = false;
    }
  }

  private sayIn(element: QueryElement, text: string, tone: 'error' | '' = '') {
    element.message.className = `query-message ${tone}`;
    setText(element.message, text);
  }

  /** The form to open a query: a question to the advisor goes to the process's advisor, anything else to whom the asker picks. */
  private showForm() {
    if (this.form) return this.form.querySelector('input')?.focus();
    const card = this.card();
    const advisorId = card?.advisor_id ?? null;
    // No browser validation: the API checks the fields and its message names the one that is wrong.
    const title = h('input', {
      name: 'title',
      maxlength: 200,
      'aria-label': 'Title',
      placeholder: 'Title',
    }) as HTMLInputElement;
    const kind = h(
      'select',
      { name: 'kind', 'aria-label': 'Kind' },
      ...KINDS.map((k) =>
        h('option', { value: k.kind, disabled: k.kind === 'question_to_advisor' && !advisorId }, k.label),
      ),
    ) as HTMLSelectElement;
    const assignee = h('select', { name: 'assignee_id', 'aria-label': 'Assignee' }) as HTMLSelectElement;
    const body = mentionTextarea(
      { name: 'body', rows: 3, 'aria-label': 'Question', placeholder: 'Your question… (@ to mention someone)' },
      () => this.loadPeople(),
    );
    const message = h('p', { class: 'query-message', role: 'status' });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Open query') as HTMLButtonElement;
    kind.value = advisorId && advisorId !== this.user.id ? 'question_to_advisor' : 'document_request';

    const fillAssignees = async () => {
      const people = await this.loadPeople().catch((error: unknown) => {
        setText(message, errorText(error, 'Could not load who may answer'));
        return [] as MentionRef[];
      });
      if (kind.value === 'question_to_advisor') {
        // Always the advisor on the process: the API assigns it.
        const advisor = people.find((p) => p.id === advisorId);
        replaceChildren(
          assignee,
          h('option', { value: advisorId ?? '' }, advisor?.name ?? card?.advisor_name ?? 'The advisor'),
        );
        assignee.disabled = true;
      } else {
        const chosen = assignee.disabled ? '' : assignee.value;
        replaceChildren(
          assignee,
          h('option', { value: '' }, 'Choose who answers…'),
          ...people
            .filter((p) => p.id !== this.user.id)
            .map((p) => h('option', { value: p.id }, `${p.name} (${humanize(p.role)})`)),
        );
        assignee.disabled = false;
        assignee.value = chosen;
      }
    };
    kind.addEventListener('change', () => void fillAssignees());

    const form = h(
      'form',
      { class: 'query-form' },
      title,
      h('div', { class: 'row' }, kind, assignee),
      body.wrap,
      message,
      h('div', { class: 'row' }, submit, h('button', { type: 'button', onclick: () => this.hideForm() }, 'Cancel')),
    ) as HTMLFormElement;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const input = {
        title: title.value.trim(),
        kind: kind.value as QueryKind,
        body: body.textarea.value.trim(),
        ...(kind.value !== 'question_to_advisor' && assignee.value ? { assignee_id: assignee.value } : {}),
      };
      submit.disabled = true;
      setText(message, '');
      try {
        const view = await answerOf(
          hub.POST('/api/processes/{id}/queries', { params: { path: { id: this.processId } }, body: input }),
        );
        this.hideForm();
        this.expanded.add(view.id);
        this.upsert(view);
      } catch (error) {
        message.className = 'query-message error';
        setText(message, errorText(error, 'The query was not opened'));
        submit.disabled = false;
      }
    });
    this.form = form;
    this.askButton.hidden = true;
    this.list.before(form);
    void fillAssignees();
    title.focus();
  }

  private hideForm() {
    this.form?.remove();
    this.form = undefined;
    this.askButton.hidden = false;
  }
}
