import type { BellNotification } from '../../contracts/socket-events.js';
import { answerOf, hub } from './api.js';
import type { Schema } from './api-types.js';
import { h, replaceChildren, setText } from './dom.js';
import { formatTimestamp } from './format.js';
import { processHash } from './router.js';

const SHOWN = 30;

type Topic = Schema<'NotificationPreferences'>['topics'][number]['topic'];

/** The preferences' topics, as the bell's filter offers them. */
const TOPICS: [Topic | '', string][] = [
  ['', 'All kinds'],
  ['assignment', 'Assigned to me'],
  ['mention', 'Mentions'],
  ['sla_warning', 'SLA warnings'],
  ['sla_breach', 'SLA breaches'],
  ['sla_escalation', 'SLA escalations'],
  ['decision', 'Decisions'],
  ['rebalance_proposal', 'Rebalance proposals'],
  ['process_update', 'Other updates'],
];

const CHANNEL_NAMES: Record<string, string> = { email: 'E-mail', slack: 'Slack' };

/** One line on where a notification went: "E-mail delivered · Slack skipped (quiet hours …)". */
export function deliveryLine(deliveries: BellNotification['deliveries']): string {
  return (deliveries ?? [])
    .map((d) => {
      const why = d.status === 'failed' || d.status === 'skipped' ? ` (${d.detail ?? 'no reason given'})` : '';
      return `${CHANNEL_NAMES[d.channel] ?? d.channel} ${d.status}${why}`;
    })
    .join(' · ');
}

function bellIcon(): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute(
    'd',
    'M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2z',
  );
  svg.append(path);
  return svg;
}

/** The notifications bell: loaded from the API, then fed live by the gateway. */
export class Bell {
  readonly element: HTMLElement;
  private readonly count = h('span', { class: 'bell-count', hidden: true });
  private button: HTMLButtonElement | undefined;
  private readonly panel = h('div', {
    class: 'bell-panel',
    hidden: true,
    role: 'dialog',
    'aria-label': 'Notifications',
  });
  private readonly list = h('ul', { class: 'bell-list' });
  private notifications: BellNotification[] = [];
  private unread = 0;
  private readonly topic = h(
    'select',
    { class: 'bell-topic', 'aria-label': 'Kind', onchange: () => void this.load() },
    ...TOPICS.map(([value, label]) => h('option', { value }, label)),
  );
  private readonly unreadOnly = h('input', {
    type: 'checkbox',
    class: 'bell-unread-only',
    onchange: () => void this.load(),
  });

  constructor() {
    const button = h(
      'button',
      { type: 'button', class: 'bell', 'aria-label': 'Notifications', onclick: () => this.toggle() },
      bellIcon(),
      this.count,
    );
    this.button = button;
    replaceChildren(
      this.panel,
      h(
        'div',
        { class: 'bell-head' },
        h('strong', {}, 'Notifications'),
        h('button', { type: 'button', class: 'link', onclick: () => void this.markAllRead() }, 'Mark all read'),
      ),
      h(
        'div',
        { class: 'bell-filters' },
        this.topic,
        h('label', {}, this.unreadOnly, ' Unread only'),
        h('a', { href: '#/notifications', class: 'link', onclick: () => (this.panel.hidden = true) }, 'Preferences'),
      ),
      this.list,
    );
    this.element = h('div', { class: 'bell-wrap' }, button, this.panel);
    document.addEventListener('click', (event) => {
      if (!this.element.contains(event.target as Node)) this.panel.hidden = true;
    });
  }

  async load(): Promise<void> {
    const query = {
      limit: SHOWN,
      ...(this.topic.value ? { topic: this.topic.value as Topic } : {}),
      ...(this.unreadOnly.checked ? { unread: 'true' as const } : {}),
    };
    const page = await answerOf(hub.GET('/api/notifications', { params: { query } }));
    this.notifications = page.notifications;
    this.unread = page.unread_count;
    this.render();
  }

  /** The count the server pushes after any change (a read in another tab, say). */
  setUnread(count: number): void {
    this.unread = count;
    this.render();
  }

  push(notification: BellNotification): void {
    if (this.notifications.some((n) => n.id === notification.id)) return;
    // Filtered to a kind: the live one may not belong; the count still moves (setUnread).
    if (this.topic.value || this.unreadOnly.checked) return void this.load();
    this.notifications = [notification, ...this.notifications].slice(0, SHOWN);
    if (!notification.read_at) this.unread += 1;
    this.render();
  }

  private toggle() {
    this.panel.hidden = !this.panel.hidden;
  }

  private async markAllRead() {
    const result = await answerOf(hub.POST('/api/notifications/read', { body: { all: true } }));
    const now = new Date().toISOString();
    this.notifications = this.notifications.map((n) => ({ ...n, read_at: n.read_at ?? now }));
    this.unread = result.unread_count;
    this.render();
  }

  private async open(notification: BellNotification) {
    this.panel.hidden = true;
    if (notification.process_id) location.hash = processHash(notification.process_id);
    if (notification.read_at) return;
    const result = await answerOf(hub.POST('/api/notifications/read', { body: { ids: [notification.id] } }));
    notification.read_at = new Date().toISOString();
    this.unread = result.unread_count;
    this.render();
  }

  private render() {
    this.count.hidden = this.unread === 0;
    const shown = this.unread > 99 ? '99+' : String(this.unread);
    setText(this.count, shown);
    // The name holds the count it shows, so speech and sight agree.
    this.button?.setAttribute('aria-label', this.unread ? `Notifications, ${shown} unread` : 'Notifications');
    replaceChildren(
      this.list,
      ...(this.notifications.length
        ? this.notifications.map((n) =>
            h(
              'li',
              { class: n.read_at ? 'read' : 'unread', 'data-kind': n.kind },
              h(
                'button',
                { type: 'button', class: 'bell-item', onclick: () => void this.open(n) },
                h('strong', {}, n.title),
                h('span', {}, n.body),
                h('time', { datetime: n.created_at, class: 'muted' }, formatTimestamp(n.created_at)),
                n.deliveries?.length
                  ? h('small', { class: 'bell-deliveries muted' }, deliveryLine(n.deliveries))
                  : null,
              ),
            ),
          )
        : [h('li', { class: 'muted empty' }, 'Nothing yet')]),
    );
  }
}
