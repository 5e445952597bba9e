import { describe, expect, it } from 'vitest';
import type { BoardCard } from '../../contracts/socket-events.js';
import {
  matchesFilters,
  parseFilters,
  serializeFilters,
  slaFiltersOf,
  slaStatusOf,
  type BoardFilters,
} from '../../web/src/filters.js';
import { formatCoarseDuration, formatDuration, formatMoney } from '../../web/src/format.js';
import { parseRoute } from '../../web/src/router.js';

const card: BoardCard = {
  process_id: 'app_abc123',
  process_type: 'account_opening',
  version: 3,
  title: 'Chris Carter',
  client_id: 'cli_chris_carter',
  client_user_id: 'usr_chris_client',
  advisor_id: 'usr_alex_advisor',
  advisor_name: 'Alex Advisor',
  office_id: null,
  team_id: null,
  assigned_user_id: null,
  amount: 50000,
  currency: 'USD',
  status: 'compliance_review',
  status_entered_at: '2026-03-02T08:00:00Z',
  flags: [],
  sla: null,
  created_at: '2026-03-02T07:00:00Z',
  updated_at: '2026-03-02T08:00:00Z',
};

describe('board filters in the URL', () => {
  it('round-trips through the query string', () => {
    const filters = {
      advisor: 'usr_alex_advisor',
      client: 'cli_chris_carter',
      state: ['submitted', 'compliance_review'],
      sla: ['warning', 'breached'],
      q: 'carter',
    } satisfies BoardFilters;
    const query = serializeFilters(filters);
    expect(query).toBe(
      'advisor=usr_alex_advisor&client=cli_chris_carter&state=submitted,compliance_review&sla=warning,breached&q=carter',
    );
    expect(parseFilters(query)).toEqual(filters);
    expect(parseFilters('')).toEqual({
      advisor: undefined,
      client: undefined,
      state: undefined,
      sla: undefined,
      q: undefined,
    });
  });

  it('keeps only the SLA words a saved view may hold, so a mistyped link still saves', () => {
    expect(parseFilters('sla=warning,late,paused').sla).toEqual(['warning', 'paused']);
    expect(parseFilters('sla=late').sla).toBeUndefined();
    expect(slaFiltersOf('none')).toEqual(['none']);
  });

  it('matches cards by advisor, client, state, SLA status and search', () => {
    expect(matchesFilters(card, {})).toBe(true);
    expect(matchesFilters(card, { advisor: 'usr_alex_advisor' })).toBe(true);
    expect(matchesFilters(card, { advisor: 'usr_beth_advisor' })).toBe(false);
    expect(matchesFilters(card, { client: 'cli_priya_patel' })).toBe(false);
    expect(matchesFilters(card, { state: ['draft', 'compliance_review'] })).toBe(true);
    expect(matchesFilters(card, { state: ['draft'] })).toBe(false);
    expect(matchesFilters(card, { sla: ['none'] })).toBe(true);
    expect(matchesFilters(card, { sla: ['warning'] })).toBe(false);
    expect(matchesFilters(card, { q: 'CARTER' })).toBe(true);
    expect(matchesFilters(card, { q: 'abc1' })).toBe(true);
    expect(matchesFilters(card, { q: 'alex' })).toBe(true);
    expect(matchesFilters(card, { q: 'fiona' })).toBe(false);
  });

  it('reads a paused clock as paused whatever its last status', () => {
    const sla = {
      policy_id: 'p',
      state: 'compliance_review',
      status: 'warning' as const,
      started_at: '',
      deadline: '',
      paused: true,
      paused_total_ms: 0,
      rungs_fired: [],
    };
    expect(slaStatusOf({ sla })).toBe('paused');
    expect(slaStatusOf({ sla: { ...sla, paused: false } })).toBe('warning');
  });
});

describe('board routes and formats', () => {
  it('parses the shared hash routes', () => {
    expect(parseRoute('#/board/account_opening?advisor=usr_alex_advisor')).toEqual({
      name: 'board',
      processType: 'account_opening',
      query: 'advisor=usr_alex_advisor',
    });
    expect(parseRoute('#/process/app_abc123')).toEqual({ name: 'process', processId: 'app_abc123' });
    expect(parseRoute('#/ops')).toEqual({ name: 'ops' });
    expect(parseRoute('')).toEqual({ name: 'board', processType: null, query: '' });
  });

  it('writes durations with two units at most and money in its currency', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(59_999)).toBe('59s');
    expect(formatDuration(61_000)).toBe('1m 01s');
    expect(formatDuration(3 * 3_600_000 + 5 * 60_000)).toBe('3h 05m');
    expect(formatDuration(2 * 86_400_000 + 4 * 3_600_000 + 59 * 60_000)).toBe('2d 4h');
    expect(formatCoarseDuration(30_000)).toBe('<1m');
    expect(formatCoarseDuration(61_000)).toBe('1m');
    expect(formatMoney(50000, 'USD')).toBe('$50,000');
    expect(formatMoney(1250.5, 'EUR')).toBe('€1,251');
    expect(formatMoney(null, 'USD')).toBe('');
  });
});
