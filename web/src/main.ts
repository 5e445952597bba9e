import './styles.css';
import type { BoardCard } from '../../contracts/socket-events.js';
import type { ProcessTypeDescriptor } from './api-types.js';
import { ApiError, whenUnauthenticated, answerOf, hub } from './api.js';
import { Bell } from './bell.js';
import { NotificationPreferencesView } from './notification-preferences-view.js';
import { BoardView } from './board-view.js';
import { loadHierarchy, teamLabel } from './hierarchy-view.js';
import { BULK_ROLES, BulkBar } from './bulk-bar.js';
import { SavedViewsBar, type SavedView } from './saved-views-bar.js';
import { h, replaceChildren, setText } from './dom.js';
import { ProcessDrawer } from './drawer.js';
import { parseFilters, serializeFilters } from './filters.js';
import { humanize } from './format.js';
import { OpsCenter } from './ops-center.js';
import type { PortfoliosView } from './portfolios-view.js';
import { QuerySummaries } from './query-summaries.js';
import { RealtimeClient } from './realtime.js';
import { boardHash, parseRoute, processHash } from './router.js';
import { clearSession, loadSession, saveSession, type Session } from './session.js';
import { completeSingleSignOn, setPasswordView, signInView } from './sign-in.js';
import { AccountView } from './admin-account.js';
import { ADMIN_SECTIONS, AdminView, type AdminSection } from './admin-view.js';
import { ApplicationForm } from './application-form.js';
import { OnboardingForm } from './onboarding-form.js';
import { inviteClientAction } from './invite-client.js';
import { kycNote } from './kyc-note.js';

const REBALANCING = 'rebalancing';
/** Notifications about a query: the process's unread count moved. */
const QUERY_NOTIFICATIONS = new Set(['mention', 'query_assigned']);

/** The board application: sign-in, a board per process type, the drawer, the ops center, portfolios and the bell. */
class App {
  private session: Session | null = loadSession();
  private types: ProcessTypeDescriptor[] = [];
  private realtime: RealtimeClient | undefined;
  private bell: Bell | undefined;
  private board: BoardView | undefined;
  private savedViews: SavedViewsBar | undefined;
  private drawer: ProcessDrawer | undefined;
  private ops: OpsCenter | undefined;
  private portfolios: PortfoliosView | undefined;
  private summaries: QuerySummaries | undefined;
  /** Administration, your account and the application form: pages of their own, no live feed. */
  private page: AdminView | AccountView | ApplicationForm | NotificationPreferencesView | OnboardingForm | undefined;
  private readonly boardQueries = new Map<string, string>();
  private readonly placeNames = new Map<string, string>();
  /** Clients whose KYC has expired or falls due, marked on their cards. */
  private readonly clientNotes = new Map<string, string>();
  private readonly main = h('main', { class: 'view' });
  private readonly nav = h('nav', { class: 'nav' });
  private readonly connection = h('span', { class: 'connection', role: 'status' });
  private readonly notice = h('div', { class: 'notice', role: 'alert', hidden: true });

  constructor(private readonly root: HTMLElement) {
    whenUnauthenticated(() => this.signOut('Your session has ended: sign in again'));
    window.addEventListener('hashchange', () => void this.route());
    window.setInterval(() => {
      const now = Date.now();
      this.board?.tick(now);
      this.drawer?.tick(now);
    }, 1000);
  }

  async start(): Promise<void> {
    if (await this.publicRoute()) return;
    if (this.session) await this.enter(this.session);
    else this.showSignIn();
  }

  private readonly signedIn = (session: Session, mustEnrolSecondFactor: boolean) => {
    saveSession(session);
    this.session = session;
    if (mustEnrolSecondFactor) history.replaceState(null, '', '#/account');
    else if (/^#\/(sso|sign-in|set-password)/.test(location.hash)) history.replaceState(null, '', '#/');
    void this.enter(session);
  };

  /** Pages before sign-in: a one-time set-password link, the return from single sign-on, a sign-in error. */
  private async publicRoute(): Promise<boolean> {
    const route = parseRoute(location.hash);
    if (route.name === 'set-password') {
      this.leave();
      replaceChildren(this.root, setPasswordView(route.token, this.signedIn));
      return true;
    }
    if (route.name === 'sso') {
      this.leave();
      const failure = await completeSingleSignOn(route.handoff, this.signedIn);
      if (failure) this.showSignIn(failure);
      return true;
    }
    if (route.name === 'sign-in' && route.error && !this.session) {
      this.showSignIn(route.error);
      return true;
    }
    return false;
  }

  private showSignIn(notice?: string) {
    replaceChildren(this.root, signInView(this.signedIn, notice));
  }

  private async enter(session: Session) {
    try {
      this.types = (await answerOf(hub.GET('/api/process-types'))).process_types;
    } catch (error) {
      // Until the second factor is set up only the account page works; a 401 has already sent the person to sign-in.
      if (!(error instanceof ApiError && error.code === 'SECOND_FACTOR_ENROLLMENT_REQUIRED')) return;
      this.types = [];
      history.replaceState(null, '', '#/account');
    }
    this.bell = new Bell();
    if (session.user.role !== 'client') void this.loadPlaceNames();
    this.summaries = new QuerySummaries((processIds) => this.board?.queriesChanged(processIds));
    const user = session.user;
    replaceChildren(
      this.root,
      h(
        'header',
        { class: 'top' },
        h('a', { class: 'brand', href: '#/' }, 'Ops hub'),
        this.nav,
        h('span', { class: 'spacer' }),
        this.connection,
        this.bell.element,
        h(
          'a',
          { class: 'who', href: '#/account', title: `${user.email}: your account` },
          `${user.name} · ${humanize(user.role)}`,
        ),
        h('button', { type: 'button', class: 'link', onclick: () => void this.signOut() }, 'Sign out'),
      ),
      this.notice,
      this.main,
    );
    this.setOnline(false);
    this.realtime = new RealtimeClient(session.token, {
      online: (online) => this.setOnline(online),
      unauthenticated: () => void this.signOut('Your session has ended: sign in again'),
      snapshot: (snapshot) => {
        if (this.board?.type.process_type === snapshot.process_type) {
          this.board.reset(snapshot.cards);
          void this.summaries?.loadAll().catch(() => {});
        }
        this.drawer?.changed();
        this.ops?.changed();
        if (snapshot.process_type === REBALANCING) this.portfolios?.changed();
      },
      change: (change) => {
        const before = this.board?.card(change.process_id);
        if (this.board?.type.process_type === change.process_type) this.board.apply(change);
        if (this.drawer?.processId === change.process_id) this.drawer.changed(change.card);
        // A question to the advisor pauses the clock: the queries of a process nobody here follows changed too.
        if (before && Boolean(before.sla?.paused) !== Boolean(change.card?.sla?.paused))
          this.refreshQueries(change.process_id);
        this.ops?.changed();
        if (change.process_type === REBALANCING) this.portfolios?.changed();
      },
      activity: (activity) => {
        if (this.drawer?.processId === activity.process_id) this.drawer.changed();
      },
      notification: (notification) => {
        this.bell?.push(notification);
        if (notification.process_id && QUERY_NOTIFICATIONS.has(notification.kind))
          this.refreshQueries(notification.process_id);
      },
      unread: (count) => this.bell?.setUnread(count),
      queryChanged: (event) => {
        if (this.drawer?.processId === event.process_id) this.drawer.queryChanged(event);
        else this.refreshQueries(event.process_id);
      },
      queryRead: (event) => {
        if (this.drawer?.processId === event.process_id) this.drawer.queryRead(event);
        else this.refreshQueries(event.process_id);
      },
      reconnected: () => {
        void this.bell?.load();
        void this.summaries?.loadAll().catch(() => {});
        this.drawer?.reconnected();
      },
      refused: (message) => this.say(message),
    });
    void this.bell.load().catch(() => {});
    await this.route();
  }

  /** Ends this browser's session locally and closes every view. */
  private leave() {
    this.session = null;
    clearSession();
    this.realtime?.close();
    this.realtime = undefined;
    this.closeDrawer();
    this.closeBoard();
    this.closeOps();
    this.closePortfolios();
    this.summaries?.destroy();
    this.summaries = undefined;
    this.page = undefined;
  }

  private async signOut(notice?: string) {
    const token = this.session?.token;
    this.leave();
    if (token && !notice) await answerOf(hub.POST('/api/auth/logout')).catch(() => {});
    this.showSignIn(notice);
  }

  private setOnline(online: boolean) {
    this.connection.className = `connection ${online ? 'online' : 'offline'}`;
    setText(this.connection, online ? 'Live' : 'Offline: reconnecting…');
    document.body.classList.toggle('is-offline', !online);
  }

  private say(message: string) {
    this.notice.hidden = !message;
    setText(this.notice, message);
  }

  private async route(): Promise<void> {
    if (await this.publicRoute()) return;
    if (!this.session) return this.showSignIn();
    const route = parseRoute(location.hash);
    this.say('');
    if (route.name === 'sign-in') return this.signOut();
    if (this.page instanceof OnboardingForm) this.page.destroy();
    this.page = undefined;
    if (
      route.name === 'admin' ||
      route.name === 'account' ||
      route.name === 'apply' ||
      route.name === 'notifications' ||
      route.name === 'onboarding'
    ) {
      this.closeDrawer();
      this.closeBoard();
      this.closeOps();
      this.closePortfolios();
      await this.showPage(route);
    } else if (route.name === 'ops') {
      this.closeDrawer();
      this.closeBoard();
      this.closePortfolios();
      this.showOps();
    } else if (route.name === 'portfolios') {
      this.closeDrawer();
      this.closeBoard();
      this.closeOps();
      await this.showPortfolios();
    } else if (route.name === 'process') {
      await this.openProcess(route.processId);
    } else if (route.name === 'view') {
      await this.openView(route.viewId);
    } else if (route.name === 'board') {
      const type = route.processType ?? this.types[0]?.process_type;
      if (!type) return replaceChildren(this.main, h('p', { class: 'empty' }, 'There are no processes you may see.'));
      if (!route.processType) {
        history.replaceState(null, '', boardHash(type));
        return this.route();
      }
      this.closeDrawer();
      this.showBoard(type, route.query);
    }
    this.renderNav();
  }

  private async showPage(
    route:
      | { name: 'admin'; section: string }
      | { name: 'account' }
      | { name: 'notifications' }
      | { name: 'apply'; applicationId: string | null }
      | { name: 'onboarding'; onboardingId: string | null },
  ) {
    if (route.name === 'notifications') {
      const page = new NotificationPreferencesView();
      this.page = page;
      replaceChildren(this.main, page.element);
      await page.show();
    } else if (route.name === 'account') {
      const page = new AccountView(() => void this.signOut('You are signed out everywhere'));
      this.page = page;
      replaceChildren(this.main, page.element);
      await page.show();
    } else if (route.name === 'onboarding') {
      const page = new OnboardingForm(this.session!.user);
      this.page = page;
      replaceChildren(this.main, page.element);
      await page.show(route.onboardingId);
    } else if (route.name === 'apply') {
      const page = new ApplicationForm();
      this.page = page;
      replaceChildren(this.main, page.element);
      await page.show(route.applicationId);
    } else {
      const section = (ADMIN_SECTIONS.find(([id]) => id === route.section)?.[0] ?? 'users') as AdminSection;
      const page = new AdminView(section);
      this.page = page;
      replaceChildren(this.main, page.element);
      await page.show(section);
    }
  }

  /** Office and team names for the board's filters; without them the filters show ids. */
  private async loadPlaceNames() {
    const hierarchy = await loadHierarchy().catch(() => undefined);
    if (!hierarchy) return;
    for (const office of hierarchy.offices) this.placeNames.set(office.id, office.name);
    for (const team of hierarchy.teams) this.placeNames.set(team.id, teamLabel(hierarchy, team));
  }

  /** Fetched whenever a board opens: a review date passes, or a review completes, while the hub runs. */
  private async loadClientNotes() {
    const answer = await answerOf(hub.GET('/api/clients')).catch(() => undefined);
    if (!answer) return;
    this.clientNotes.clear();
    for (const client of answer.clients)
      if (client.kyc_standing === 'expired' || client.kyc_standing === 'review_due')
        this.clientNotes.set(client.id, kycNote(client)!);
    this.board?.clientsChanged();
  }

  /** A saved view's link: its board with its filters, as far as this person may see it. */
  private async openView(viewId: string) {
    let view: SavedView;
    try {
      view = await answerOf(hub.GET('/api/saved-views/{id}', { params: { path: { id: viewId } } }));
    } catch (error) {
      this.say(error instanceof Error ? error.message : 'Could not open the saved view');
      return;
    }
    this.closeDrawer();
    if (this.board?.type.process_type === view.process_type) this.closeBoard();
    this.showBoard(view.process_type, serializeFilters(view.filters), view.id);
  }

  private showBoard(processType: string, query: string | undefined, viewId: string | null = null) {
    const type = this.types.find((t) => t.process_type === processType);
    if (!type) {
      this.closeBoard();
      replaceChildren(this.main, h('p', { class: 'empty' }, `There is no board ${processType} you may see.`));
      return;
    }
    if (query !== undefined) this.boardQueries.set(processType, query);
    const filters = parseFilters(this.boardQueries.get(processType) ?? '');
    this.closeOps();
    this.closePortfolios();
    if (this.board?.type.process_type === processType) {
      this.board.setFilters(filters);
      this.savedViews?.filtersEdited();
      return;
    }
    this.closeBoard();
    const user = this.session!.user;
    // The board tells its bars of changes only once a person acts, after both exist.
    let bulk: BulkBar | undefined;
    const board = new BoardView(type, filters, {
      open: (processId) => (location.hash = processHash(processId)),
      filtersChanged: (changed) => {
        const serialized = serializeFilters(changed);
        this.boardQueries.set(processType, serialized);
        history.replaceState(null, '', boardHash(processType, serialized));
        views.filtersEdited();
      },
      queries: (processId) => this.summaries?.get(processId),
      placeName: (id) => this.placeNames.get(id),
      clientNote: (id) => this.clientNotes.get(id),
      selectionChanged: (ids) => bulk?.selectionChanged(ids),
    });
    this.board = board;
    const views = new SavedViewsBar(processType, user, () => board.filtersNow, viewId);
    this.savedViews = views;
    board.toolbar.append(views.element);
    const invite = inviteClientAction(processType, user);
    if (invite) board.toolbar.append(invite);
    if (BULK_ROLES.has(user.role)) {
      bulk = new BulkBar(processType, user.role, board);
      board.toolbar.append(bulk.element);
    }
    void views.load();
    if (user.role !== 'client') void this.loadClientNotes();
    replaceChildren(this.main, this.board.element);
    this.realtime?.subscribeBoard(processType);
  }

  private closeBoard() {
    if (!this.board) return;
    this.realtime?.unsubscribeBoard(this.board.type.process_type);
    this.board = undefined;
  }

  private showOps() {
    if (this.ops) return;
    this.ops = new OpsCenter(this.types);
    replaceChildren(this.main, h('h1', { class: 'page-title' }, 'Operations center'), this.ops.element);
    for (const type of this.types) this.realtime?.subscribeBoard(type.process_type);
    void this.ops.refresh();
  }

  private closeOps() {
    if (!this.ops) return;
    this.ops.destroy();
    this.ops = undefined;
    for (const type of this.types) this.realtime?.unsubscribeBoard(type.process_type);
  }

  /** Portfolios and their drift (loaded with the view, not with the board); the rebalancing board's changes keep it current. */
  private async showPortfolios() {
    if (this.portfolios) return;
    if (!this.types.some((t) => t.process_type === REBALANCING)) {
      replaceChildren(this.main, h('p', { class: 'empty' }, 'There are no portfolios you may see.'));
      return;
    }
    const { PortfoliosView } = await import('./portfolios-view.js');
    if (this.portfolios || parseRoute(location.hash).name !== 'portfolios' || !this.session) return;
    this.portfolios = new PortfoliosView(this.session.user, {
      open: (rebalanceId) => (location.hash = processHash(rebalanceId)),
    });
    replaceChildren(this.main, this.portfolios.element);
    this.realtime?.subscribeBoard(REBALANCING);
    void this.portfolios.refresh();
  }

  private closePortfolios() {
    if (!this.portfolios) return;
    this.portfolios.destroy();
    this.portfolios = undefined;
    if (this.board?.type.process_type !== REBALANCING) this.realtime?.unsubscribeBoard(REBALANCING);
  }

  /** Another process's queries changed: its card's summary is fetched again, with others, shortly. */
  private refreshQueries(processId: string) {
    if (this.drawer?.processId !== processId) this.summaries?.refresh([processId]);
  }

  /** A process opens over its own board, which the drawer's close returns to. */
  private async openProcess(processId: string) {
    if (this.drawer?.processId === processId) return;
    let card: Pick<BoardCard, 'process_type'>;
    try {
      card =
        this.board?.card(processId) ??
        (await answerOf(hub.GET('/api/processes/{id}', { params: { path: { id: processId } } }))).card;
    } catch (error) {
      this.say(error instanceof Error ? error.message : 'Could not open the process');
      return;
    }
    const type = this.types.find((t) => t.process_type === card.process_type);
    if (!type) return this.say(`You may not see ${card.process_type} processes`);
    this.showBoard(type.process_type, undefined);
    this.closeDrawer();
    const drawer = new ProcessDrawer(processId, type, {
      close: () => (location.hash = boardHash(type.process_type, this.boardQueries.get(type.process_type) ?? '')),
      user: this.session!.user,
      realtime: this.realtime,
      queriesChanged: (summary) => this.summaries?.set(processId, summary),
    });
    this.drawer = drawer;
    this.root.append(drawer.element);
    this.realtime?.watch(processId);
    await drawer.load();
    drawer.element.focus();
  }

  private closeDrawer() {
    if (!this.drawer) return;
    this.realtime?.unwatch(this.drawer.processId);
    this.drawer.destroy();
    this.drawer.element.remove();
    this.drawer = undefined;
  }

  private renderNav() {
    const route = parseRoute(location.hash);
    const current = ['ops', 'portfolios', 'admin', 'apply', 'onboarding'].includes(route.name)
      ? route.name
      : (this.board?.type.process_type ?? '');
    const role = this.session?.user.role;
    replaceChildren(
      this.nav,
      ...this.types.map((t) =>
        h(
          'a',
          {
            href: boardHash(t.process_type, this.boardQueries.get(t.process_type) ?? ''),
            class: current === t.process_type ? 'active' : '',
          },
          t.title,
        ),
      ),
      this.types.some((t) => t.process_type === REBALANCING) &&
        h('a', { href: '#/portfolios', class: current === 'portfolios' ? 'active' : '' }, 'Portfolios'),
      h('a', { href: '#/ops', class: current === 'ops' ? 'active' : '' }, 'Operations center'),
      (role === 'advisor' || role === 'client' || role === 'admin') &&
        h('a', { href: '#/apply', class: current === 'apply' ? 'active' : '' }, 'New application'),
      role === 'client' &&
        h('a', { href: '#/onboarding', class: current === 'onboarding' ? 'active' : '' }, 'My onboarding'),
      role === 'admin' &&
        h('a', { href: '#/admin/users', class: current === 'admin' ? 'active' : '' }, 'Administration'),
    );
  }
}

void new App(document.getElementById('app')!).start();
