import type { BellNotification } from '../../contracts/socket-events.js';
import { answerOf, hub } from './api.js';
import { h, replaceChildren, setText } from './dom.js';
import { formatTimestamp } from './format.js';
import { processHash } from './router.js';

const SHOWN = 30;

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
  private readonly panel = h('div', {
    class: 'bell-panel',
    hidden: true,
    role: 'dialog',
    'aria-label': 'Notifications',
  });
  private readonly list = h('ul', { class: 'bell-list' });
  private notifications: BellNotification[] = [];
  private unread = 0;

  constructor() {
    const button = h(
      'button',
      { type: 'button', class: 'bell', 'aria-label': 'Notifications', onclick: () => this.toggle() },
      bellIcon(),
      this.count,
    );
    replaceChildren(
      this.panel,
      h(
        'div',
        { class: 'bell-head' },
        h('strong', {}, 'Notifications'),
        h('button', { type: 'button', class: 'link', onclick: () => void this.markAllRead() }, 'Mark all read'),
      ),
      this.list,
    );
    this.element = h('div', { class: 'bell-wrap' }, button, this.panel);
    document.addEventListener('click', (event) => {
      if (!this.element.contains(event.target as Node)) this.panel.hidden = true;
    });
  }

  async load(): Promise<void> {
    const page = await answerOf(hub.GET('/api/notifications', { params: { query: { limit: SHOWN } } }));
    this.notifications = page.notifications;
    this.unread = page.unread_count;
    this.render();
  }

  push(notification: BellNotification): void {
    if (this.notifications.some((n) => n.id === notification.id)) return;
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
    setText(this.count, this.unread > 99 ? '99+' : String(this.unread));
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
              ),
            ),
          )
        : [h('li', { class: 'muted empty' }, 'Nothing yet')]),
    );
  }
}
