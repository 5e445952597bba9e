import { answerOf, ApiError, hub } from './api.js';
import type { ProcessTypeDescriptor, Schema } from './api-types.js';
import { h, replaceChildren } from './dom.js';
import { formatCoarseDuration } from './format.js';
import { processHash } from './router.js';
import { slaBadge } from './sla-badge.js';

const REFRESH_AT_MOST_EVERY_MS = 2_000;
/** Trends move by the day: drawn again at most once a minute, not with every change. */
const TRENDS_FRESH_MS = 60_000;
const TREND_DAYS = 30;
const STAGE_COLORS = ['#2454d6', '#965a00', '#1a7742', '#8e3fb5', '#c62a2a'];

/** Thirty days as charts: openings and decisions, SLA compliance, time per stage (the chart library loads here). */
async function trendCharts(processType: string): Promise<HTMLElement> {
  const query = { process_type: processType, days: TREND_DAYS };
  const [{ dailyChart }, trends] = await Promise.all([
    import('./charts.js'),
    answerOf(hub.GET('/api/ops/trends', { params: { query } })),
  ]);
  const days = trends.days.map((d) => d.day);
  const hours = (ms: number) => ms / 3_600_000;
  return h(
    'div',
    { class: 'panel trends' },
    h('h3', {}, `The last ${TREND_DAYS} days`),
    h(
      'div',
      { class: 'charts' },
      dailyChart(
        'Openings and decisions per day',
        days,
        [
          { label: 'Opened', values: trends.days.map((d) => d.opened), color: '#2454d6' },
          { label: 'Decisions', values: trends.days.map((d) => d.decided), color: '#965a00' },
        ],
        { format: (n) => String(Math.round(n)) },
      ),
      dailyChart(
        'SLA compliance (%)',
        days,
        [{ label: 'Within SLA', values: trends.days.map((d) => d.sla_compliance_percent), color: '#1a7742' }],
        { format: (n) => `${Math.round(n)}%`, max: 100 },
      ),
      dailyChart(
        'Median time per stage (hours)',
        days,
        trends.stages.map((stage, i) => {
          const byDay = new Map(stage.per_day.map((d) => [d.day, d.median_ms]));
          return {
            label: stage.stage,
            values: days.map((day) => (byDay.has(day) ? hours(byDay.get(day)!) : null)),
            color: STAGE_COLORS[i % STAGE_COLORS.length],
          };
        }),
        { format: (n) => (n < 10 ? n.toFixed(1) : String(Math.round(n))) },
      ),
    ),
  );
}

function localMidnight(): string {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).toISOString();
}

/** A row of horizontal bars: a small chart without a chart library. */
function bars(rows: { label: string; value: number; text: string; tone?: string }[]): HTMLElement {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return h(
    'div',
    { class: 'bars', role: 'table' },
    ...rows.map((row) =>
      h(
        'div',
        { class: 'bar-row', role: 'row' },
        h('span', { class: 'bar-label', role: 'cell' }, row.label),
        h(
          'span',
          { class: 'bar-track', role: 'cell' },
          h('span', { class: `bar ${row.tone ?? ''}`, style: `width:${((row.value / max) * 100).toFixed(1)}%` }),
        ),
        h('span', { class: 'bar-value', role: 'cell' }, row.text),
      ),
    ),
  );
}

const tile = (label: string, value: string | number, tone = '') =>
  h(
    'div',
    { class: `tile ${tone}` },
    h('span', { class: 'tile-value' }, String(value)),
    h('span', { class: 'tile-label' }, label),
  );

const percent = (value: number) => `${(value * 100).toFixed(1)} %`;

/** The blueprint's success metrics today: success rate against 99 %, processing time against 5 s. */
function successTiles(success: Schema<'SuccessMetrics'>): HTMLElement {
  const { success_rate: rate, processing_time: time } = success;
  const withinShare = time.commands ? time.within_target / time.commands : null;
  const slowest = Math.max(0, ...time.per_command.map((c) => c.p95_ms));
  return h(
    'div',
    { class: 'tiles success-metrics' },
    tile(
      `Success rate today (target ${percent(rate.target)})`,
      rate.rate === null ? '—' : percent(rate.rate),
      rate.met === false ? 'red' : '',
    ),
    tile(
      `Commands under ${time.target_ms / 1000} s today`,
      withinShare === null ? '—' : `${time.within_target} of ${time.commands}`,
      withinShare !== null && withinShare < 1 ? 'amber' : '',
    ),
    tile(
      'Slowest command p95',
      time.commands ? `${(slowest / 1000).toFixed(2)} s` : '—',
      slowest >= time.target_ms ? 'red' : '',
    ),
    tile('Error-rate alerts today', success.error_rate_alerts.length, success.error_rate_alerts.length ? 'red' : ''),
  );
}

/** The operations center: for every process type, what is where, what is late, and how today went. */
export class OpsCenter {
  readonly element = h('div', { class: 'ops-center' });
  private timer: number | undefined;
  private lastRefresh = 0;
  private destroyed = false;
  private readonly trends = new Map<string, { at: number; element: Promise<HTMLElement> }>();

  constructor(private readonly types: ProcessTypeDescriptor[]) {}

  /** A change arrived: refresh soon, but not more than every couple of seconds. */
  changed(): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastRefresh + REFRESH_AT_MOST_EVERY_MS - Date.now());
    this.timer = window.setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, wait);
  }

  destroy(): void {
    this.destroyed = true;
    clearTimeout(this.timer);
  }

  async refresh(): Promise<void> {
    this.lastRefresh = Date.now();
    const since = localMidnight();
    const sections = await Promise.all(
      this.types.map(async (type) => {
        try {
          const query = { process_type: type.process_type, since };
          const [summary, success] = await Promise.all([
            answerOf(hub.GET('/api/ops/summary', { params: { query } })),
            answerOf(hub.GET('/api/ops/success-metrics', { params: { query } })),
          ]);
          const section = this.section(type, summary, success);
          section.append(await this.trendsOf(type.process_type));
          return section;
        } catch (error) {
          return h(
            'section',
            { class: 'ops-type' },
            h('h2', {}, type.title),
            h('p', { class: 'error' }, error instanceof ApiError ? error.message : 'Could not load'),
          );
        }
      }),
    );
    if (!this.destroyed) replaceChildren(this.element, ...sections);
  }

  private trendsOf(processType: string): Promise<HTMLElement> {
    const cached = this.trends.get(processType);
    if (cached && Date.now() - cached.at < TRENDS_FRESH_MS) return cached.element;
    const element = trendCharts(processType).catch((error: unknown) =>
      h('p', { class: 'error' }, error instanceof ApiError ? error.message : 'The trends could not be loaded'),
    );
    this.trends.set(processType, { at: Date.now(), element });
    return element;
  }

  private section(
    type: ProcessTypeDescriptor,
    summary: Schema<'OpsSummary'>,
    success: Schema<'SuccessMetrics'>,
  ): HTMLElement {
    const terminal = new Set(type.states.filter((s) => s.terminal).map((s) => s.id));
    const active = summary.per_state.filter((s) => !terminal.has(s.state)).reduce((n, s) => n + s.count, 0);
    const now = Date.now();
    return h(
      'section',
      { class: 'ops-type', 'data-process-type': type.process_type },
      h('h2', {}, type.title),
      h(
        'div',
        { class: 'tiles' },
        tile('In progress', active),
        tile('SLA warnings now', summary.sla.warning, summary.sla.warning ? 'amber' : ''),
        tile('SLA breaches now', summary.sla.breached, summary.sla.breached ? 'red' : ''),
        tile('SLA paused', summary.sla.paused),
        tile('Opened today', summary.opened_since),
        ...summary.decisions_since.map((d) => tile(`${d.label} today`, d.count)),
      ),
      successTiles(success),
      h(
        'div',
        { class: 'ops-grid' },
        h(
          'div',
          { class: 'panel' },
          h('h3', {}, 'Processes per state'),
          bars(
            summary.per_state.map((s) => ({
              label: s.label,
              value: s.count,
              text: String(s.count),
              tone: terminal.has(s.state) ? 'muted' : '',
            })),
          ),
        ),
        h(
          'div',
          { class: 'panel' },
          h('h3', {}, `Median time per stage (last ${summary.window_days} days)`),
          bars(
            summary.median_per_stage.map((s) => ({
              label: s.stage,
              value: s.median_ms ?? 0,
              text: s.median_ms === null ? '—' : `${formatCoarseDuration(s.median_ms)} (${s.samples})`,
            })),
          ),
          h('h3', {}, 'Median time per state'),
          bars(
            summary.median_per_state.map((s) => ({
              label: s.label,
              value: s.median_ms ?? 0,
              text: s.median_ms === null ? '—' : `${formatCoarseDuration(s.median_ms)} (${s.samples})`,
            })),
          ),
        ),
        h(
          'div',
          { class: 'panel' },
          h('h3', {}, 'SLA warnings and breaches'),
          summary.at_risk.length
            ? h(
                'ul',
                { class: 'at-risk' },
                ...summary.at_risk.map((card) => {
                  const badge = slaBadge(card.sla, now);
                  return h(
                    'li',
                    {},
                    h('a', { href: processHash(card.process_id) }, card.title),
                    ' ',
                    badge
                      ? h('span', { class: `sla-badge tone-${badge.tone}`, title: badge.title }, badge.label)
                      : null,
                    h(
                      'span',
                      { class: 'muted' },
                      ` ${type.states.find((s) => s.id === card.status)?.label ?? card.status}`,
                    ),
                  );
                }),
              )
            : h('p', { class: 'muted' }, 'None right now'),
          h('h3', {}, 'Entered today'),
          bars(
            summary.entered_since
              .filter((s) => s.count > 0)
              .map((s) => ({ label: s.label, value: s.count, text: String(s.count) })),
          ),
        ),
      ),
    );
  }
}
