import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationInReview, loginAll, type Login } from '../support/account-opening.js';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';

describe('live SLAs on calendars held in memory', () => {
  let hub: TestHub;
  let tokens: Record<Login, string>;
  beforeAll(async () => {
    hub = await startTestHub();
    tokens = await loginAll(hub);
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('a calendar changed by another writer moves the deadline on cards and in the detail', async () => {
    const policy = {
      process_type: 'account_opening',
      state: 'compliance_review',
      target: { unit: 'business_days', amount: 2 },
      calendar_id: 'us-new-york',
      rungs: [{ kind: 'breach', at_percent: 100, notify: ['role:compliance_officer'] }],
    };
    const put = await hub.api(tokens.admin, 'PUT', '/sla/policies/account-opening-compliance-review', policy);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const id = await applicationInReview(hub, { advisor: tokens.alex });
    const deadlineOf = async () => {
      const detail = await hub.api(tokens.carla, 'GET', `/applications/${id}`);
      const list = await hub.api(tokens.carla, 'GET', '/applications?limit=50');
      const card = (list.body.applications as { application_id: string; sla: { deadline: string } }[]).find(
        (a) => a.application_id === id,
      );
      return { detail: detail.body.sla.deadline as string, card: card?.sla.deadline };
    };
    const before = await deadlineOf();
    expect(before.card).toBe(before.detail);

    // Not through this server: only the NOTIFY of the change can tell it its cached calendar is stale.
    // One working hour a day, away from the hour the review started, so the deadline has to move.
    const closesAt = new Intl.DateTimeFormat('en-US', {
      timeZone: 'America/New_York',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    const startedAt = closesAt.format(new Date());
    const window = startedAt >= '08:00' && startedAt < '11:00' ? ['14:00', '15:00'] : ['09:00', '10:00'];
    const hour = [{ start: window[0], end: window[1] }];
    const oneHourDays = { mon: hour, tue: hour, wed: hour, thu: hour, fri: hour };
    await hub.sql`UPDATE business_calendars SET working_hours = ${hub.sql.json(oneHourDays)} WHERE id = 'us-new-york'`;

    const after = await eventually(
      async () => {
        const now = await deadlineOf();
        return now.detail !== before.detail && now.card !== before.card && now;
      },
      { what: 'the deadline on the changed calendar' },
    );
    // The deadline is worked out on the new hours (a working day now closes at the window's end, New York time).
    const deadlineAt = closesAt.format(new Date(after.detail));
    expect(deadlineAt >= window[0]! && deadlineAt <= window[1]!, deadlineAt).toBe(true);
    expect(after.card).toBe(after.detail);
  });
});
