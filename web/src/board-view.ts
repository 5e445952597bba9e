import type { BoardCard, ProcessChange } from '../../contracts/socket-events.js';
import type { ProcessTypeDescriptor } from './api-types.js';
import { h, replaceChildren, setText } from './dom.js';
import { hasFilters, matchesFilters, SLA_FILTERS, slaFiltersOf, type BoardFilters } from './filters.js';
import { countOf, formatCoarseDuration, formatMoney, humanize } from './format.js';
import type { QueriesSummary } from './query-threads.js';
import { slaBadge } from './sla-badge.js';

/** One card on the board; its elements exist once its column first draws it. */
interface CardEntry {
  card: BoardCard;
  sortKey: number;
  column: Column | undefined;
  /** Whether the filters let it show. */
  shown: boolean;
  dom?: CardDom;
}

/** A drawn card, with the elements whose text changes. */
interface CardDom {
  el: HTMLElement;
  title: HTMLElement;
  advisor: HTMLElement;
  amount: HTMLElement;
  age: HTMLElement;
  sla: HTMLElement;
  flags: HTMLElement;
  /** Queries (made when a process first has some, so a board of cards without queries stays lean). */
  queries?: { row: HTMLElement; waiting: HTMLElement; open: HTMLElement; unread: HTMLElement };
}

interface Column {
  state: string;
  /** The section; a collapsed one shows its name and count only. */
  element: HTMLElement;
  list: HTMLElement;
  count: HTMLElement;
  /** Terminal columns fold away on narrower screens; their header button opens and closes them. */
  toggle?: HTMLButtonElement;
  /** Oldest in the state first: who has waited longest is on top. */
  entries: CardEntry[];
  /** How many shown cards it draws; "+n more" draws the next page. */
  limit: number;
  /** The cards drawn now, in order. */
  drawn: CardEntry[];
  more: HTMLButtonElement;
}

/**
 * A column draws its oldest cards a page at a time: a board of ten thousand processes builds a few hundred
 * cards, not ten thousand, and a change redraws one column's page at most.
 */
const COLUMN_PAGE = 100;

const FLAG_LABELS: Record<string, string> = {
  edd: 'EDD',
  pep: 'PEP',
  suitability_warning: 'Suitability',
  crm_failure: 'CRM failed',
  kyc_review_due: 'KYC review',
};

/** Selects a filter's values; several (from a URL) get an option of their own. */
function selectList(select: HTMLSelectElement, values: string[] | undefined) {
  const value = values?.join(',') ?? '';
  if (value && ![...select.options].some((o) => o.value === value))
    select.append(h('option', { value }, `${values!.length} selected`));
  select.value = value;
}

/** From this width every column of the widest board fits open; below it, terminal columns start folded. */
const ALL_COLUMNS_OPEN = '(min-width: 1480px)';
/** A folded column's strip and the gap beside it. */
const FOLDED_WIDTH_PX = 50;

/** Text that may be cut off with an ellipsis keeps its whole self in a tooltip. */
function setClipped(element: HTMLElement, text: string) {
  setText(element, text);
  if (element.title !== text) element.title = text;
}

const before = (a: CardEntry, b: CardEntry) =>
  a.sortKey - b.sortKey || (a.card.process_id < b.card.process_id ? -1 : 1);

/**
 * A board for one process type: a column per state, grouped by stage. Each change touches one card's
 * elements (and moves it when its state changed); nothing is drawn again as a whole after the snapshot.
 */
export class BoardView {
  readonly element: HTMLElement;
  private readonly entries = new Map<string, CardEntry>();
  private readonly columns = new Map<string, Column>();
  private filters: BoardFilters;
  private readonly filterBar: {
    advisor: HTMLSelectElement;
    client: HTMLSelectElement;
    office: HTMLSelectElement;
    team: HTMLSelectElement;
    state: HTMLSelectElement;
    sla: HTMLSelectElement;
    q: HTMLInputElement;
    summary: HTMLElement;
  };
  private optionKeys = '';
  private readonly wide = window.matchMedia(ALL_COLUMNS_OPEN);
  /** Columns a person opened or closed themselves, which the screen width no longer decides. */
  private readonly folded = new Map<string, boolean>();
  private selecting = false;
  private readonly selection = new Set<string>();
  /** Where the saved views and bulk controls go, between the filters and the columns. */
  readonly toolbar = h('div', { class: 'board-toolbar' });

  constructor(
    readonly type: ProcessTypeDescriptor,
    filters: BoardFilters,
    private readonly options: {
      open(processId: string): void;
      filtersChanged(filters: BoardFilters): void;
      /** The process's query summary, if it has queries. */
      queries(processId: string): QueriesSummary | undefined;
      /** The name of an office or team, when the firm's hierarchy is known. */
      placeName?(id: string): string | undefined;
      /** What a card says of its client beyond the process: a KYC expired or due for review. */
      clientNote?(clientId: string): string | undefined;
      /** The selected cards changed (in selection mode). */
      selectionChanged?(processIds: string[]): void;
    },
  ) {
    this.filters = filters;
    const select = (name: string, label: string) =>
      h('select', { name, 'aria-label': label, onchange: () => this.readFilterBar() }) as HTMLSelectElement;
    this.filterBar = {
      advisor: select('advisor', 'Advisor'),
      client: select('client', 'Client'),
      office: select('office', 'Office'),
      team: select('team', 'Team'),
      state: select('state', 'State'),
      sla: select('sla', 'SLA status'),
      q: h('input', {
        type: 'search',
        name: 'q',
        placeholder: 'Search client, id…',
        'aria-label': 'Search',
        oninput: () => this.readFilterBar(),
      }) as HTMLInputElement,
      summary: h('span', { class: 'filter-summary' }),
    };
    replaceChildren(
      this.filterBar.state,
      h('option', { value: '' }, 'All states'),
      ...type.states.map((s) => h('option', { value: s.id }, s.label)),
    );
    replaceChildren(
      this.filterBar.sla,
      h('option', { value: '' }, 'Any SLA'),
      ...SLA_FILTERS.map((s) => h('option', { value: s }, s === 'none' ? 'No SLA' : humanize(s))),
    );
    this.refreshOptions(true);

    const stages = type.stages.map((stage) =>
      h(
        'section',
        { class: 'stage', 'data-stage': stage.name, style: `--columns:${stage.states.length}` },
        h('h2', { class: 'stage-name' }, stage.name),
        h('div', { class: 'stage-columns' }, ...stage.states.map((state) => this.createColumn(state))),
      ),
    );
    this.element = h(
      'div',
      { class: 'board', 'data-process-type': type.process_type },
      h(
        'form',
        { class: 'filters', role: 'search', onsubmit: (event: Event) => event.preventDefault() },
        this.filterBar.q,
        this.filterBar.advisor,
        this.filterBar.client,
        this.filterBar.office,
        this.filterBar.team,
        this.filterBar.state,
        this.filterBar.sla,
        h('button', { type: 'button', class: 'link', onclick: () => this.setFilters({}, true) }, 'Clear'),
        this.filterBar.summary,
      ),
      this.toolbar,
      h('div', { class: 'columns' }, ...stages),
    );
    this.writeFilterBar();
    this.wide.addEventListener('change', () => this.writeFolds());
    this.writeFolds();
  }

  /** Selection mode: a click on a card selects it instead of opening it. */
  setSelecting(on: boolean): void {
    this.selecting = on;
    this.element.classList.toggle('selecting', on);
    if (!on) this.selection.clear();
    this.writeAllSelected();
    this.options.selectionChanged?.([...this.selection]);
  }

  /** Selects every card the filters show, or none. */
  selectAllShown(all: boolean): void {
    this.selection.clear();
    if (all) for (const entry of this.entries.values()) if (entry.shown) this.selection.add(entry.card.process_id);
    this.writeAllSelected();
    this.options.selectionChanged?.([...this.selection]);
  }

  titleOf(processId: string): string {
    return this.entries.get(processId)?.card.title ?? processId;
  }

  get filtersNow(): BoardFilters {
    return this.filters;
  }

  private toggleSelected(entry: CardEntry) {
    const id = entry.card.process_id;
    if (!this.selection.delete(id)) this.selection.add(id);
    if (entry.dom) this.writeSelected(entry, entry.dom);
    this.options.selectionChanged?.([...this.selection]);
  }

  private writeAllSelected() {
    for (const entry of this.entries.values()) if (entry.dom) this.writeSelected(entry, entry.dom);
  }

  private writeSelected(entry: CardEntry, { el }: CardDom) {
    const selected = this.selecting && this.selection.has(entry.card.process_id);
    el.classList.toggle('selected', selected);
    // While selecting, a card is a checkbox to assistive technology; otherwise a card that opens.
    if (this.selecting) {
      el.setAttribute('role', 'checkbox');
      el.setAttribute('aria-checked', String(selected));
    } else if (el.hasAttribute('role')) {
      el.removeAttribute('role');
      el.removeAttribute('aria-checked');
    }
  }

  private writeFolds() {
    for (const column of this.columns.values()) {
      if (!column.toggle) continue;
      const folded = this.folded.get(column.state) ?? !this.wide.matches;
      column.element.classList.toggle('folded', folded);
      column.toggle.setAttribute('aria-expanded', String(!folded));
      column.list.hidden = folded;
    }
    // A stage grows by its open columns; its folded ones keep only their strip.
    for (const stage of this.element.querySelectorAll<HTMLElement>('.stage')) {
      const open = stage.querySelectorAll('.column:not(.folded)').length;
      const folded = stage.querySelectorAll('.column.folded').length;
      stage.style.flex = `${open} 1 ${folded * FOLDED_WIDTH_PX}px`;
    }
  }

  /** Everything at once, from a snapshot. */
  reset(cards: BoardCard[]): void {
    for (const column of this.columns.values()) column.entries = [];
    this.entries.clear();
    for (const card of cards) {
      const entry = this.createEntry(card);
      this.entries.set(card.process_id, entry);
      entry.column = this.columns.get(card.status);
      entry.column?.entries.push(entry);
    }
    for (const column of this.columns.values()) {
      column.entries.sort(before);
      this.draw(column);
    }
    this.refreshOptions();
    this.refreshCounts();
  }

  /** One change: update the card in place, move it if its state changed, or take it off the board. */
  apply(change: ProcessChange): void {
    const entry = this.entries.get(change.process_id);
    if (entry && change.version <= entry.card.version) return;
    if (!change.card) {
      if (entry) this.remove(entry);
      return;
    }
    if (!entry) {
      const created = this.createEntry(change.card);
      this.entries.set(change.process_id, created);
      this.place(created);
      this.refreshOptions();
    } else {
      const moved =
        entry.card.status !== change.card.status || entry.card.status_entered_at !== change.card.status_entered_at;
      entry.card = change.card;
      this.fill(entry, Date.now());
      if (moved) this.place(entry);
      else if (entry.column) {
        this.draw(entry.column);
        this.refreshCount(entry.column);
      }
    }
    const updated = this.entries.get(change.process_id)!.dom?.el;
    // Opacity only: the compositor runs it without repainting a board of a thousand cards.
    if (!change.replayed && updated?.isConnected)
      updated.animate([{ opacity: 0.35 }, { opacity: 1 }], { duration: 900, easing: 'ease-out' });
    this.refreshSummary();
  }

  card(processId: string): BoardCard | undefined {
    return this.entries.get(processId)?.card;
  }

  /** What is known of the clients changed: each card's flags are written again. */
  clientsChanged(): void {
    for (const entry of this.entries.values()) if (entry.dom) this.writeFlags(entry, entry.dom);
  }

  /** Query summaries changed for these processes: only their cards are touched. */
  queriesChanged(processIds: Iterable<string>): void {
    for (const id of processIds) {
      const entry = this.entries.get(id);
      if (entry?.dom) this.writeQueries(entry, entry.dom);
    }
  }

  setFilters(filters: BoardFilters, announce = false): void {
    this.filters = filters;
    this.refreshOptions();
    this.writeFilterBar();
    for (const entry of this.entries.values()) {
      entry.shown = matchesFilters(entry.card, filters);
      if (entry.dom) entry.dom.el.hidden = !entry.shown;
    }
    for (const column of this.columns.values()) this.draw(column);
    this.refreshCounts();
    if (announce) this.options.filtersChanged(filters);
    if ([...this.selection].some((id) => this.entries.get(id)?.shown === false)) {
      for (const entry of this.entries.values()) if (!entry.shown) this.selection.delete(entry.card.process_id);
      this.options.selectionChanged?.([...this.selection]);
    }
  }

  /** Once a second: time in state and SLA countdowns of the cards drawn; only text that changed is written. */
  tick(now: number): void {
    for (const column of this.columns.values())
      for (const entry of column.drawn) this.writeClock(entry, entry.dom!, now);
  }

  private createColumn(stateId: string): HTMLElement {
    const state = this.type.states.find((s) => s.id === stateId)!;
    const list = h('div', { class: 'cards', id: `cards-${this.type.process_type}-${stateId}` });
    const count = h('span', { class: 'count' }, '0');
    const name = h('span', { class: 'column-name', title: state.label }, state.label);
    const toggle = state.terminal
      ? (h(
          'button',
          {
            type: 'button',
            class: 'column-toggle',
            'aria-controls': list.id,
            title: `${state.label}: show or hide`,
            onclick: () => {
              this.folded.set(stateId, column.toggle!.getAttribute('aria-expanded') === 'true');
              this.writeFolds();
            },
          },
          name,
          count,
        ) as HTMLButtonElement)
      : undefined;
    const element = h(
      'section',
      { class: `column${state.terminal ? ' terminal' : ''}`, 'data-state': stateId, 'aria-label': state.label },
      h('header', { class: 'column-header', title: state.sla ?? '' }, ...(toggle ? [toggle] : [name, count])),
      list,
    );
    const more = h('button', {
      type: 'button',
      class: 'link column-more',
      hidden: true,
      onclick: () => {
        column.limit += COLUMN_PAGE;
        this.draw(column);
      },
    }) as HTMLButtonElement;
    list.append(more);
    const column: Column = {
      state: stateId,
      element,
      list,
      count,
      toggle,
      entries: [],
      limit: COLUMN_PAGE,
      drawn: [],
      more,
    };
    this.columns.set(stateId, column);
    return element;
  }

  private createEntry(card: BoardCard): CardEntry {
    return {
      card,
      sortKey: Date.parse(card.status_entered_at),
      column: undefined,
      shown: matchesFilters(card, this.filters),
    };
  }

  /** The card's elements, made the first time its column draws it. */
  private domOf(entry: CardEntry): CardDom {
    if (entry.dom) return entry.dom;
    const part = (cls: string) => h('span', { class: cls });
    const dom: CardDom = {
      el: h('article', { class: 'card', tabindex: 0, 'data-process-id': entry.card.process_id }),
      title: part('card-title'),
      advisor: part('card-advisor'),
      amount: part('card-amount'),
      age: part('card-age'),
      sla: part('sla-badge'),
      flags: part('card-flags'),
    };
    dom.el.append(
      h('div', { class: 'card-row' }, dom.title, dom.sla),
      h('div', { class: 'card-row muted' }, dom.advisor, dom.amount),
      h('div', { class: 'card-row muted' }, dom.age, dom.flags),
    );
    const open = () => (this.selecting ? this.toggleSelected(entry) : this.options.open(entry.card.process_id));
    dom.el.addEventListener('click', open);
    dom.el.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || (this.selecting && event.key === ' ')) {
        event.preventDefault();
        open();
      }
    });
    entry.dom = dom;
    this.fill(entry, Date.now());
    return dom;
  }

  private fill(entry: CardEntry, now: number) {
    const { card, dom } = entry;
    entry.sortKey = Date.parse(card.status_entered_at);
    entry.shown = matchesFilters(card, this.filters);
    if (!dom) return;
    dom.el.dataset.status = card.status;
    setClipped(dom.title, card.title);
    setClipped(dom.advisor, card.advisor_name ?? card.advisor_id ?? '');
    setClipped(dom.amount, formatMoney(card.amount, card.currency));
    this.writeFlags(entry, dom);
    dom.el.hidden = !entry.shown;
    this.writeClock(entry, dom, now);
    this.writeQueries(entry, dom);
    this.writeSelected(entry, dom);
  }

  private writeFlags(entry: CardEntry, dom: CardDom) {
    const { card } = entry;
    const client = card.client_id ? this.options.clientNote?.(card.client_id) : undefined;
    const flags = card.flags.map((f) => FLAG_LABELS[f] ?? humanize(f));
    setClipped(dom.flags, [...flags, client].filter(Boolean).join(' · '));
  }

  private writeQueries(entry: CardEntry, dom: CardDom) {
    const summary = this.options.queries(entry.card.process_id);
    const open = summary?.open ?? 0;
    const unread = summary?.unread ?? 0;
    const waiting = summary?.waiting_on === 'advisor';
    const shown = open > 0 || unread > 0 || waiting;
    if (!shown && !dom.queries) return;
    if (!dom.queries) {
      const part = (cls: string) => h('span', { class: cls });
      dom.queries = {
        row: h('div', { class: 'card-row card-query-row' }),
        waiting: part('waiting'),
        open: part('card-queries muted'),
        unread: part('unread-badge'),
      };
      dom.queries.row.append(dom.queries.waiting, dom.queries.open, dom.queries.unread);
      dom.el.append(dom.queries.row);
    }
    if (dom.queries.row.hidden === shown) dom.queries.row.hidden = !shown;
    setClipped(dom.queries.waiting, waiting ? 'waiting on advisor' : '');
    setText(dom.queries.open, open ? `${countOf(open, 'open query', 'open queries')}` : '');
    setText(dom.queries.unread, unread ? `${unread} unread` : '');
  }

  private writeClock(entry: CardEntry, dom: CardDom, now: number) {
    setText(dom.age, formatCoarseDuration(now - entry.sortKey));
    const badge = slaBadge(entry.card.sla, now);
    const className = badge ? `sla-badge tone-${badge.tone}` : 'sla-badge';
    if (dom.sla.className !== className) dom.sla.className = className;
    setText(dom.sla, badge?.label ?? '');
    if (badge && dom.sla.title !== badge.title) dom.sla.title = badge.title;
  }

  /** Puts a card into its state's column at its place by age. */
  private place(entry: CardEntry) {
    const from = entry.column;
    if (from) from.entries.splice(from.entries.indexOf(entry), 1);
    // Out of the page first, so drawing the new column inserts this one card and moves no other.
    entry.dom?.el.remove();
    const to = this.columns.get(entry.card.status);
    entry.column = to;
    if (to) {
      let low = 0;
      let high = to.entries.length;
      while (low < high) {
        const mid = (low + high) >> 1;
        if (before(to.entries[mid], entry) < 0) low = mid + 1;
        else high = mid;
      }
      to.entries.splice(low, 0, entry);
    }
    for (const column of new Set([from, to])) {
      if (!column) continue;
      this.draw(column);
      this.refreshCount(column);
    }
  }

  private remove(entry: CardEntry) {
    entry.dom?.el.remove();
    this.entries.delete(entry.card.process_id);
    const column = entry.column;
    if (!column) return;
    column.entries.splice(column.entries.indexOf(entry), 1);
    this.draw(column);
    this.refreshCount(column);
  }

  /**
   * Brings the column's page up to date: its first `limit` shown cards, and any hidden ones among its first
   * `limit` (a filter hides cards rather than dropping them). Only cards that enter or leave the page are touched.
   */
  private draw(column: Column) {
    const drawn: CardEntry[] = [];
    let shown = 0;
    column.entries.forEach((entry, index) => {
      if (entry.shown ? shown++ < column.limit : index < column.limit) drawn.push(entry);
    });
    const keep = new Set(drawn.map((entry) => entry.dom?.el));
    for (const entry of column.drawn) if (!keep.has(entry.dom?.el)) entry.dom?.el.remove();
    let at = column.list.firstElementChild;
    for (const entry of drawn) {
      const { el } = this.domOf(entry);
      if (el === at) at = at.nextElementSibling;
      else column.list.insertBefore(el, at);
    }
    column.drawn = drawn;
    const rest = shown - Math.min(shown, column.limit);
    column.more.hidden = rest === 0;
    if (rest) setText(column.more, `+${rest.toLocaleString('en-US')} more`);
  }

  private refreshCount(column: Column | undefined) {
    if (!column) return;
    const visible = column.entries.reduce((n, e) => n + (e.shown ? 1 : 0), 0);
    setText(
      column.count,
      hasFilters(this.filters) ? `${visible}/${column.entries.length}` : String(column.entries.length),
    );
  }

  private refreshCounts() {
    for (const column of this.columns.values()) this.refreshCount(column);
    this.refreshSummary();
  }

  private refreshSummary() {
    const shown = [...this.entries.values()].filter((e) => e.shown).length;
    setText(
      this.filterBar.summary,
      hasFilters(this.filters)
        ? `${shown} of ${countOf(this.entries.size, 'process', 'processes')} shown`
        : countOf(this.entries.size, 'process', 'processes'),
    );
  }

  /** Advisors and clients to filter by: those on the board, plus any named in the URL. */
  private refreshOptions(force = false) {
    const advisors = new Map<string, string>();
    const clients = new Map<string, string>();
    const offices = new Map<string, string>();
    const teams = new Map<string, string>();
    const place = (id: string) => this.options.placeName?.(id) ?? id;
    for (const { card } of this.entries.values()) {
      if (card.advisor_id) advisors.set(card.advisor_id, card.advisor_name ?? card.advisor_id);
      if (card.client_id) clients.set(card.client_id, card.title);
      if (card.office_id) offices.set(card.office_id, place(card.office_id));
      if (card.team_id) teams.set(card.team_id, place(card.team_id));
    }
    if (this.filters.office && !offices.has(this.filters.office)) offices.set(this.filters.office, this.filters.office);
    if (this.filters.team && !teams.has(this.filters.team)) teams.set(this.filters.team, this.filters.team);
    if (this.filters.advisor && !advisors.has(this.filters.advisor))
      advisors.set(this.filters.advisor, this.filters.advisor);
    if (this.filters.client && !clients.has(this.filters.client)) clients.set(this.filters.client, this.filters.client);
    const keys = [advisors, clients, offices, teams].map((m) => [...m.values()].join()).join('|');
    if (!force && keys === this.optionKeys) return;
    this.optionKeys = keys;
    const byName = (map: Map<string, string>) => [...map].sort((a, b) => a[1].localeCompare(b[1]));
    replaceChildren(
      this.filterBar.advisor,
      h('option', { value: '' }, 'All advisors'),
      ...byName(advisors).map(([id, name]) => h('option', { value: id }, name)),
    );
    replaceChildren(
      this.filterBar.client,
      h('option', { value: '' }, 'All clients'),
      ...byName(clients).map(([id, name]) => h('option', { value: id }, name)),
    );
    // Offices and teams appear once the firm has them.
    for (const [select, places, all] of [
      [this.filterBar.office, offices, 'All offices'],
      [this.filterBar.team, teams, 'All teams'],
    ] as const) {
      replaceChildren(
        select,
        h('option', { value: '' }, all),
        ...byName(places).map(([id, name]) => h('option', { value: id }, name)),
      );
      select.hidden = places.size === 0;
    }
    this.writeFilterBar();
  }

  private writeFilterBar() {
    const bar = this.filterBar;
    bar.advisor.value = this.filters.advisor ?? '';
    bar.client.value = this.filters.client ?? '';
    bar.office.value = this.filters.office ?? '';
    bar.team.value = this.filters.team ?? '';
    selectList(bar.state, this.filters.state);
    selectList(bar.sla, this.filters.sla);
    if (document.activeElement !== bar.q) bar.q.value = this.filters.q ?? '';
  }

  private readFilterBar() {
    const bar = this.filterBar;
    const value = (v: string) => v || undefined;
    this.setFilters(
      {
        advisor: value(bar.advisor.value),
        client: value(bar.client.value),
        office: value(bar.office.value),
        team: value(bar.team.value),
        state: bar.state.value ? bar.state.value.split(',') : undefined,
        sla: slaFiltersOf(bar.sla.value),
        q: value(bar.q.value.trim()),
      },
      true,
    );
  }
}
