import { answerOf, ApiError, hub } from './api.js';
import type { Body, Schema } from './api-types.js';
import { h, replaceChildren, setText } from './dom.js';

type Preferences = Schema<'NotificationPreferences'>;
type PreferencesChange = Body<'/api/notifications/preferences', 'patch'>;

const TOPIC_LABELS: Record<string, string> = {
  assignment: 'Work assigned to me',
  mention: 'Mentions in query threads',
  sla_warning: 'SLA warnings',
  sla_breach: 'SLA breaches',
  sla_escalation: 'SLA escalations',
  decision: 'Decisions on applications and rebalances',
  rebalance_proposal: 'Rebalance proposals',
  process_update: 'Other process updates',
};
const CHANNELS = [
  ['slack', 'Slack'],
  ['email', 'E-mail'],
] as const;

/** `#/notifications`: how the signed-in person hears of things, beside the bell (which gets everything). */
export class NotificationPreferencesView {
  readonly element = h('section', { class: 'notification-preferences', 'aria-label': 'Notification preferences' });
  private readonly status = h('p', { class: 'form-status', role: 'status' });

  async show(): Promise<void> {
    const preferences = await answerOf(hub.GET('/api/notifications/preferences'));
    this.render(preferences);
  }

  private render(preferences: Preferences) {
    const { profile } = preferences;
    const zone = h('input', { name: 'time_zone', value: profile.time_zone, required: true });
    const quiet = h('input', { type: 'checkbox', name: 'quiet', checked: profile.quiet_hours !== null });
    const start = h('input', { type: 'time', name: 'quiet_start', value: profile.quiet_hours?.start ?? '22:00' });
    const end = h('input', { type: 'time', name: 'quiet_end', value: profile.quiet_hours?.end ?? '07:00' });
    const digest = h('input', { type: 'checkbox', name: 'digest', checked: profile.digest });
    const language = h(
      'select',
      { name: 'language' },
      h('option', { value: 'en', selected: profile.language === 'en' }, 'English'),
      h('option', { value: 'fr', selected: profile.language === 'fr' }, 'Français'),
    );
    const boxes = new Map<string, HTMLInputElement>();
    const rows = preferences.topics.map((t) =>
      h(
        'tr',
        { 'data-topic': t.topic },
        h(
          'th',
          { scope: 'row' },
          TOPIC_LABELS[t.topic] ?? t.topic,
          t.locked ? h('small', {}, ' (set by your firm)') : null,
        ),
        h('td', {}, h('input', { type: 'checkbox', checked: true, disabled: true, 'aria-label': 'Bell' })),
        ...CHANNELS.map(([channel, label]) => {
          const box = h('input', {
            type: 'checkbox',
            name: `${t.topic}:${channel}`,
            'aria-label': `${label} for ${TOPIC_LABELS[t.topic] ?? t.topic}`,
            checked: t.channels.includes(channel),
            disabled: t.locked,
          });
          boxes.set(`${t.topic}:${channel}`, box);
          return h('td', {}, box);
        }),
      ),
    );
    const form = h(
      'form',
      {
        class: 'admin-form',
        onsubmit: (event: Event) => {
          event.preventDefault();
          const topics = Object.fromEntries(
            preferences.topics
              .filter((t) => !t.locked)
              .map((t) => [t.topic, CHANNELS.map(([c]) => c).filter((c) => boxes.get(`${t.topic}:${c}`)!.checked)]),
          );
          void this.save({
            time_zone: zone.value.trim(),
            quiet_hours: quiet.checked ? { start: start.value, end: end.value } : null,
            digest: digest.checked,
            language: language.value as Preferences['profile']['language'],
            topics,
          });
        },
      },
      h(
        'table',
        { class: 'preferences-table' },
        h(
          'thead',
          {},
          h('tr', {}, h('th', {}, 'Kind'), h('th', {}, 'Bell'), ...CHANNELS.map(([, l]) => h('th', {}, l))),
        ),
        h('tbody', {}, ...rows),
      ),
      h('label', {}, 'Time zone ', zone),
      h('label', {}, quiet, ' Quiet hours (only escalations reach me) from ', start, ' to ', end),
      h('label', {}, digest, ' Gather my e-mail into one digest each morning'),
      h('label', {}, 'Language of e-mail ', language),
      h('button', { type: 'submit' }, 'Save preferences'),
      this.status,
    );
    replaceChildren(this.element, h('h1', { class: 'page-title' }, 'Notifications'), form);
  }

  private async save(change: PreferencesChange) {
    try {
      this.render(await answerOf(hub.PATCH('/api/notifications/preferences', { body: change })));
      setText(this.status, 'Preferences saved');
    } catch (error) {
      setText(this.status, error instanceof ApiError ? error.message : 'Could not save the preferences');
    }
  }
}
