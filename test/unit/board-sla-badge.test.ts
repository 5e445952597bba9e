import { describe, expect, it } from 'vitest';
import { slaBadge, type BadgeSla } from '../../web/src/sla-badge.js';

const NOW = Date.parse('2026-03-02T10:00:00Z');

function snapshot(overrides: Partial<BadgeSla>): BadgeSla {
  return {
    status: 'on_track',
    deadline: '2026-03-03T12:30:00Z',
    paused: false,
    ...overrides,
  };
}

describe('SLA badge', () => {
  it('shows nothing for a state without an SLA', () => {
    expect(slaBadge(null, NOW)).toBeNull();
    expect(slaBadge(undefined, NOW)).toBeNull();
  });

  it('counts down to the deadline in the colour of the status', () => {
    expect(slaBadge(snapshot({}), NOW)).toMatchObject({ tone: 'green', label: '1d 2h' });
    expect(slaBadge(snapshot({ status: 'warning', deadline: '2026-03-02T13:05:00Z' }), NOW)).toMatchObject({
      tone: 'amber',
      label: '3h 05m',
    });
    expect(slaBadge(snapshot({ status: 'warning', deadline: '2026-03-02T10:12:07Z' }), NOW)).toMatchObject({
      tone: 'amber',
      label: '12m 07s',
    });
    expect(slaBadge(snapshot({ status: 'breached', deadline: '2026-03-02T10:00:42Z' }), NOW)).toMatchObject({
      tone: 'red',
      label: '42s',
    });
  });

  it('turns red and says how late once the deadline has passed, whatever the status says yet', () => {
    expect(slaBadge(snapshot({ status: 'breached', deadline: '2026-03-02T07:30:00Z' }), NOW)).toMatchObject({
      tone: 'red',
      label: 'late 2h 30m',
    });
    expect(slaBadge(snapshot({ status: 'warning', deadline: '2026-03-02T09:59:30Z' }), NOW)).toMatchObject({
      tone: 'red',
      label: 'late 30s',
    });
  });

  it('says paused while the clock is paused, without a countdown', () => {
    expect(slaBadge(snapshot({ status: 'paused', paused: true }), NOW)).toMatchObject({
      tone: 'paused',
      label: 'paused',
    });
    expect(
      slaBadge(snapshot({ status: 'warning', paused: true, deadline: '2026-03-01T00:00:00Z' }), NOW),
    ).toMatchObject({ tone: 'paused', label: 'paused' });
  });

  it('moves with the clock: the same snapshot a minute later reads a minute less', () => {
    const sla = snapshot({ deadline: '2026-03-02T10:30:00Z' });
    expect(slaBadge(sla, NOW)!.label).toBe('30m 00s');
    expect(slaBadge(sla, NOW + 60_000)!.label).toBe('29m 00s');
  });
});
