import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../runtime/config.js';
import { escapeHtml, renderNotificationEmail } from '../../workers/email/email-templates.js';
import { decideChannel, inQuietHours, topicOf } from '../../workflows/notification-policy.js';

const at = (iso: string) => new Date(iso);

describe('quiet hours on the person’s own clock', () => {
  it('reads the window in the person’s time zone, wrapping past midnight', () => {
    const night = { start: '22:00', end: '07:00' };
    // 13:30 UTC is 22:30 in Tokyo and 08:30 in New York (winter).
    expect(inQuietHours(at('2026-12-01T13:30:00Z'), 'Asia/Tokyo', night)).toBe(true);
    expect(inQuietHours(at('2026-12-01T13:30:00Z'), 'America/New_York', night)).toBe(false);
    expect(inQuietHours(at('2026-12-01T21:59:00Z'), 'Asia/Tokyo', night)).toBe(true);
    expect(inQuietHours(at('2026-12-01T22:00:00Z'), 'Asia/Tokyo', night)).toBe(false);
    expect(inQuietHours(at('2026-12-01T12:00:00Z'), 'UTC', { start: '09:00', end: '17:00' })).toBe(true);
    expect(inQuietHours(at('2026-12-01T12:00:00Z'), 'UTC', null)).toBe(false);
  });

  it('lets only escalations through in quiet hours, and gathers the rest into the digest when chosen', () => {
    const quiet = {
      channels: ['slack', 'email'] as const,
      time_zone: 'UTC',
      quiet_hours: { start: '00:00', end: '23:59' },
    };
    const now = at('2026-12-01T12:00:00Z');
    const choice = { ...quiet, channels: [...quiet.channels], digest: false };
    expect(decideChannel(choice, 'sla_escalation', 'email', now)).toEqual({ action: 'send' });
    expect(decideChannel(choice, 'sla_warning', 'email', now)).toEqual({
      action: 'skip',
      reason: 'quiet hours (00:00–23:59)',
    });
    expect(decideChannel({ ...choice, digest: true }, 'sla_warning', 'email', now)).toEqual({ action: 'hold' });
    expect(decideChannel({ ...choice, channels: ['slack'] }, 'mention', 'email', now)).toBeNull();
    expect(topicOf('sla_escalated')).toBe('sla_escalation');
    expect(topicOf('something_new')).toBe('process_update');
  });
});

describe('e-mail templates', () => {
  const facts = {
    kind: 'application_rejected',
    title: 'Application rejected',
    body: 'internal: failed <EDD>',
    recipient_name: 'Chris <Carter>',
    process_title: 'Chris Carter',
    process: { account_type: 'joint', rejection_reason: 'Funds not "verified" & <late>', compliance_notes: 'secret' },
    board_url: 'https://hub.example/#/process/app_1',
  };

  it('writes the client’s rejection from the application’s client-facing fields only, escaped in HTML', () => {
    const mail = renderNotificationEmail(facts, 'en');
    expect(mail.subject).toBe('Your account application was not approved');
    expect(mail.text).toContain('Reason: Funds not "verified" & <late>');
    expect(mail.html).toContain('Funds not &quot;verified&quot; &amp; &lt;late&gt;');
    expect(mail.html).toContain('Dear Chris &lt;Carter&gt;,');
    expect(mail.text + mail.html).not.toMatch(/internal|secret|EDD/);
    expect(renderNotificationEmail(facts, 'fr').subject).toBe(
      'Votre demande d’ouverture de compte n’a pas été approuvée',
    );
    expect(escapeHtml(`<a href="x">'`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;');
  });
});

describe('SMTP configuration', () => {
  it('needs a sender with a server, and refuses a URL that is not SMTP', () => {
    expect(() => loadConfig({ SMTP_URL: 'smtp://127.0.0.1:2525' })).toThrow(/SMTP_FROM is required/);
    expect(() => loadConfig({ SMTP_URL: 'http://mail.example', SMTP_FROM: 'a@b.example' })).toThrow(/SMTP_URL/);
    expect(loadConfig({ SMTP_URL: 'smtps://u:p@mail.example:465', SMTP_FROM: 'Hub <a@b.example>' }).SMTP_URL).toBe(
      'smtps://u:p@mail.example:465',
    );
  });
});
