import type { BoardCard } from '../../contracts/socket-events.js';

/** The board's filters, kept in the URL after the route: `#/board/account_opening?advisor=…&state=a,b&sla=warning&q=…`. */
export interface BoardFilters {
  advisor?: string;
  client?: string;
  office?: string;
  team?: string;
  state?: string[];
  sla?: SlaFilter[];
  q?: string;
}

export const SLA_FILTERS = ['on_track', 'warning', 'breached', 'paused', 'none'] as const;
export type SlaFilter = (typeof SLA_FILTERS)[number];

/** The SLA words of a comma-separated list; one the board does not know filters nothing, as no card has it. */
export function slaFiltersOf(list: string): SlaFilter[] | undefined {
  const known = list
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is SlaFilter => (SLA_FILTERS as readonly string[]).includes(s));
  return known.length ? known : undefined;
}

export function parseFilters(query: string): BoardFilters {
  const params = new URLSearchParams(query);
  const list = (name: string) => {
    const values = (params.get(name) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    return values.length ? values : undefined;
  };
  const text = (name: string) => params.get(name)?.trim() || undefined;
  return {
    advisor: text('advisor'),
    client: text('client'),
    office: text('office'),
    team: text('team'),
    state: list('state'),
    sla: slaFiltersOf(params.get('sla') ?? ''),
    q: text('q'),
  };
}

export function serializeFilters(filters: BoardFilters): string {
  const params = new URLSearchParams();
  if (filters.advisor) params.set('advisor', filters.advisor);
  if (filters.client) params.set('client', filters.client);
  if (filters.office) params.set('office', filters.office);
  if (filters.team) params.set('team', filters.team);
  if (filters.state?.length) params.set('state', filters.state.join(','));
  if (filters.sla?.length) params.set('sla', filters.sla.join(','));
  if (filters.q) params.set('q', filters.q);
  return params.toString().replace(/%2C/g, ',');
}

/** The SLA filter's word for a card: its SLA status, or `none` without a clock. */
export function slaStatusOf(card: { sla: Pick<NonNullable<BoardCard['sla']>, 'status' | 'paused'> | null }): SlaFilter {
  if (!card.sla) return 'none';
  return card.sla.paused ? 'paused' : card.sla.status;
}

export function matchesFilters(card: BoardCard, filters: BoardFilters): boolean {
  if (filters.advisor && card.advisor_id !== filters.advisor) return false;
  if (filters.client && card.client_id !== filters.client) return false;
  if (filters.office && card.office_id !== filters.office) return false;
  if (filters.team && card.team_id !== filters.team) return false;
  if (filters.state && !filters.state.includes(card.status)) return false;
  if (filters.sla && !filters.sla.includes(slaStatusOf(card))) return false;
  if (filters.q) {
    const needle = filters.q.toLowerCase();
    const haystack = [card.title, card.process_id, card.client_id, card.advisor_name]
      .filter(Boolean)
      .join(' ')
      .toLowerCase();
    if (!haystack.includes(needle)) return false;
  }
  return true;
}

export function hasFilters(filters: BoardFilters): boolean {
  return Boolean(
    filters.advisor ||
    filters.client ||
    filters.office ||
    filters.team ||
    filters.state?.length ||
    filters.sla?.length ||
    filters.q,
  );
}

/** The board's filters as GET /processes (and the CSV export) name them. */
export function toCardQuery(filters: BoardFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.advisor) params.set('advisor_id', filters.advisor);
  if (filters.client) params.set('client_id', filters.client);
  if (filters.state?.length) params.set('status', filters.state.join(','));
  if (filters.sla?.length) params.set('sla_status', filters.sla.join(','));
  if (filters.q) params.set('q', filters.q);
  return params;
}
