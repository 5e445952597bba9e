import { answerOf, ApiError, hub } from './api.js';
import { adminForm, adminTable, asBody, shownOnce, type FieldSpec, type FormValues } from './admin-forms.js';
import type { Schema } from './api-types.js';
import { h, replaceChildren } from './dom.js';
import { humanize } from './format.js';
import { hierarchySection } from './hierarchy-view.js';
import { kycBadge } from './kyc-note.js';

/** The administration area's sections, each its own hash route under #/admin/. */
export const ADMIN_SECTIONS = [
  ['users', 'Users'],
  ['clients', 'Clients'],
  ['products', 'Products'],
  ['settings', 'Settings'],
  ['sla', 'SLA policies and calendars'],
  ['hierarchy', 'Offices and teams'],
  ['slack', 'Slack user links'],
] as const;
export type AdminSection = (typeof ADMIN_SECTIONS)[number][0];

const ROLES = ['advisor', 'compliance_officer', 'manager', 'ops', 'admin', 'client'] as const;
type Policy = Schema<'SlaPolicyInput'>;

const roleOptions = ROLES.map((r) => [r, humanize(r)] as [string, string]);

/** The firm's administration on the board: every change goes through the same API, and shows its words. */
export class AdminView {
  readonly element = h('section', { class: 'admin', 'aria-label': 'Administration' });
  private readonly tabs = h('nav', { class: 'admin-tabs', 'aria-label': 'Administration sections' });
  private readonly body = h('div', { class: 'admin-body' });

  constructor(private section: AdminSection) {
    this.element.append(h('h1', { class: 'page-title' }, 'Administration'), this.tabs, this.body);
  }

  async show(section: AdminSection): Promise<void> {
    this.section = section;
    replaceChildren(
      this.tabs,
      ...ADMIN_SECTIONS.map(([id, label]) =>
        h(
          'a',
          {
            href: `#/admin/${id}`,
            class: id === section ? 'active' : '',
            'aria-current': id === section ? 'page' : null,
          },
          label,
        ),
      ),
    );
    replaceChildren(this.body, h('p', { class: 'muted' }, 'Loading…'));
    try {
      const render = {
        users: this.users,
        clients: this.clients,
        products: this.products,
        settings: this.settings,
        sla: this.sla,
        hierarchy: () => hierarchySection(this.reload),
        slack: this.slack,
      }[section];
      replaceChildren(this.body, ...(await render.call(this)));
    } catch (error) {
      replaceChildren(
        this.body,
        h(
          'p',
          { class: 'error', role: 'alert' },
          error instanceof ApiError ? error.message : 'Could not load this section',
        ),
      );
    }
  }

  private reload = () => this.show(this.section);

  private async users(): Promise<Node[]> {
    const query = new URLSearchParams(location.hash.split('?')[1] ?? '').get('q') ?? '';
    const { users } = await answerOf(hub.GET('/api/admin/users', { params: { query: query ? { q: query } : {} } }));
    const result = h('div', { class: 'admin-result' });
    const search = h('input', {
      type: 'search',
      name: 'q',
      value: query,
      'aria-label': 'Search users by name or e-mail',
      placeholder: 'Search name or e-mail',
    });
    const rows = users.map((user) => {
      const role = h(
        'select',
        { name: 'role', 'aria-label': `Role of ${user.name}` },
        ...roleOptions.map(([v, l]) => h('option', { value: v, selected: v === user.role }, l)),
      );
      const act = async (work: () => Promise<void>) => {
        try {
          await work();
        } catch (error) {
          replaceChildren(
            result,
            h('p', { class: 'error', role: 'alert' }, error instanceof ApiError ? error.message : 'Could not save'),
          );
        }
      };
      return {
        key: user.id,
        cells: [
          user.name,
          user.email,
          h(
            'span',
            { class: 'row' },
            role,
            h(
              'button',
              {
                type: 'button',
                'data-action': 'save-role',
                onclick: () =>
                  act(
                    async () => (
                      await answerOf(
                        hub.PATCH('/api/admin/users/{id}', {
                          params: { path: { id: user.id } },
                          body: asBody({ role: role.value }),
                        }),
                      ),
                      await this.reload()
                    ),
                  ),
              },
              'Save role',
            ),
          ),
          user.active ? (user.has_password || user.single_sign_on ? 'Active' : 'Invited') : 'Deactivated',
          user.second_factor ? 'Yes' : 'No',
          h(
            'span',
            { class: 'row' },
            user.active
              ? h(
                  'button',
                  {
                    type: 'button',
                    class: 'danger',
                    'data-action': 'deactivate',
                    onclick: () =>
                      act(async () => {
                        const done = await answerOf(
                          hub.POST('/api/admin/users/{id}/deactivate', { params: { path: { id: user.id } } }),
                        );
                        await this.reload();
                        const { processes, clients } = done.open_assignments;
                        replaceChildren(
                          this.body.querySelector('.admin-result')!,
                          h(
                            'div',
                            { role: 'status', class: 'assignments' },
                            h('strong', {}, `${user.name} is deactivated and signed out everywhere.`),
                            processes.length || clients.length
                              ? h(
                                  'ul',
                                  {},
                                  ...processes.map((p) =>
                                    h(
                                      'li',
                                      {},
                                      h('a', { href: `#/process/${p.process_id}` }, p.title),
                                      ` — ${humanize(p.status)} (${p.relation})`,
                                    ),
                                  ),
                                  ...clients.map((c) =>
                                    h('li', {}, `Client ${c.name}: reassign the advisor under Clients`),
                                  ),
                                )
                              : h('p', { class: 'muted' }, 'Nothing left open to reassign.'),
                          ),
                        );
                      }),
                  },
                  'Deactivate',
                )
              : h(
                  'button',
                  {
                    type: 'button',
                    'data-action': 'reactivate',
                    onclick: () =>
                      act(
                        async () => (
                          await answerOf(
                            hub.POST('/api/admin/users/{id}/reactivate', { params: { path: { id: user.id } } }),
                          ),
                          await this.reload()
                        ),
                      ),
                  },
                  'Reactivate',
                ),
            user.active &&
              h(
                'button',
                {
                  type: 'button',
                  'data-action': 'password-link',
                  onclick: () =>
                    act(async () => {
                      const link = await answerOf(
                        hub.POST('/api/admin/users/{id}/password-link', { params: { path: { id: user.id } } }),
                      );
                      shownOnce(
                        result,
                        `Set-password link for ${user.name}`,
                        link.link,
                        `Works once, until ${new Date(link.expires_at).toLocaleString()}.`,
                      );
                    }),
                },
                'New password link',
              ),
          ),
        ],
      };
    });
    const invite = adminForm({
      name: 'invite-user',
      submitLabel: 'Invite',
      fields: [
        { name: 'email', label: 'E-mail', type: 'email', required: true },
        { name: 'name', label: 'Name', required: true },
        {
          name: 'role',
          label: 'Role',
          type: 'select',
          options: roleOptions.filter(([r]) => r !== 'client'),
          required: true,
        },
      ],
      submit: async (values) => {
        const invited = await answerOf(hub.POST('/api/admin/users', { body: asBody(values) }));
        await this.reload();
        shownOnce(
          this.body.querySelector('.admin-result')!,
          `Invitation link for ${invited.user.name}`,
          invited.link,
          'Send it to them: it works once, for 72 hours.',
        );
        return 'Invited';
      },
    });
    return [
      h(
        'form',
        {
          class: 'row admin-search',
          role: 'search',
          onsubmit: (e: Event) => (
            e.preventDefault(),
            (location.hash = `#/admin/users?q=${encodeURIComponent(search.value)}`)
          ),
        },
        search,
        h('button', { type: 'submit' }, 'Search'),
      ),
      result,
      adminTable('users', ['Name', 'E-mail', 'Role', 'Status', 'Second factor', ''], rows),
      h('h2', {}, 'Invite a user'),
      invite,
    ];
  }

  private async clients(): Promise<Node[]> {
    const [{ clients }, { users: advisors }] = await Promise.all([
      answerOf(hub.GET('/api/admin/clients')),
      answerOf(hub.GET('/api/admin/users', { params: { query: { role: 'advisor', active: 'true' } } })),
    ]);
    const advisorOptions = advisors.map((a) => [a.id, a.name] as [string, string]);
    const editor = h('div', { class: 'admin-editor' });
    const fields = (client?: Schema<'ClientRecord'>): FieldSpec[] => [
      { name: 'name', label: 'Name', required: true, value: client?.name },
      { name: 'email', label: 'E-mail', type: 'email', required: true, value: client?.email },
      {
        name: 'client_type',
        label: 'Type',
        type: 'select',
        options: ['individual', 'joint', 'entity'],
        required: true,
        value: client?.client_type,
      },
      {
        name: 'jurisdiction',
        label: 'Jurisdiction',
        hint: 'ISO 3166 code, such as US or US-NY',
        value: client?.jurisdiction,
      },
      {
        name: 'birth_or_incorporation_date',
        label: 'Date of birth or incorporation',
        type: 'date',
        value: client?.birth_or_incorporation_date,
      },
      {
        name: 'politically_exposed',
        label: 'Politically exposed person',
        type: 'checkbox',
        value: client?.politically_exposed,
      },
      {
        name: 'kyc_status',
        label: 'KYC status',
        type: 'select',
        options: ['complete', 'pending', 'incomplete'],
        required: true,
        value: client?.kyc_status ?? 'pending',
      },
      {
        name: 'advisor_id',
        label: 'Advisor',
        type: 'select',
        options: advisorOptions,
        value: client?.advisor_id,
        hint: 'Open applications move with the client',
      },
    ];
    const edit = (client: Schema<'ClientRecord'>) =>
      replaceChildren(
        editor,
        h('h2', {}, `Edit ${client.name}`),
        adminForm({
          name: 'edit-client',
          submitLabel: 'Save client',
          fields: fields(client),
          submit: async (values) => {
            const body = { jurisdiction: null, birth_or_incorporation_date: null, advisor_id: null, ...values };
            const saved = await answerOf(
              hub.PATCH('/api/admin/clients/{id}', { params: { path: { id: client.id } }, body: asBody(body) }),
            );
            await this.reload();
            return saved.moved_applications?.length
              ? `Saved; ${saved.moved_applications.length} open application(s) moved`
              : 'Saved';
          },
        }),
      );
    const result = h('div', { class: 'admin-result' });
    const rows = clients.map((client) => ({
      key: client.id,
      cells: [
        client.name,
        client.email,
        humanize(client.client_type),
        client.jurisdiction ?? '—',
        kycBadge({ kyc_standing: client.kyc_standing, kyc_expires_at: client.kyc_expires_at }),
        client.politically_exposed ? 'Yes' : 'No',
        client.advisor_name ?? '—',
        h(
          'span',
          { class: 'row' },
          h('button', { type: 'button', 'data-action': 'edit', onclick: () => edit(client) }, 'Edit'),
          h(
            'button',
            {
              type: 'button',
              'data-action': 'invite-client',
              onclick: async () => {
                try {
                  const invited = await answerOf(
                    hub.POST('/api/admin/clients/{id}/invite', { params: { path: { id: client.id } } }),
                  );
                  shownOnce(
                    result,
                    `Sign-in link for ${client.name}`,
                    invited.link,
                    'Send it to the client: it works once, for 72 hours.',
                  );
                } catch (error) {
                  replaceChildren(
                    result,
                    h(
                      'p',
                      { class: 'error', role: 'alert' },
                      error instanceof ApiError ? error.message : 'Could not invite',
                    ),
                  );
                }
              },
            },
            'Invite to sign in',
          ),
        ),
      ],
    }));
    return [
      result,
      adminTable('clients', ['Name', 'E-mail', 'Type', 'Jurisdiction', 'KYC', 'PEP', 'Advisor', ''], rows),
      editor,
      h('h2', {}, 'New client'),
      adminForm({
        name: 'new-client',
        submitLabel: 'Create client',
        fields: fields(),
        submit: async (values) => (
          await answerOf(hub.POST('/api/admin/clients', { body: asBody(values) })),
          await this.reload(),
          'Created'
        ),
      }),
    ];
  }

  private async products(): Promise<Node[]> {
    const { products } = await answerOf(hub.GET('/api/admin/products'));
    const editor = h('div', { class: 'admin-editor' });
    const terms = (p?: Schema<'ShelfProduct'>): FieldSpec[] => [
      { name: 'name', label: 'Name', required: true, value: p?.name },
      { name: 'description', label: 'Description', type: 'textarea', required: true, value: p?.description },
      {
        name: 'category',
        label: 'Asset class',
        required: true,
        hint: 'Such as equity, fixed_income, cash, alternatives',
        value: p?.category,
      },
      {
        name: 'risk_level',
        label: 'Risk level',
        type: 'select',
        required: true,
        options: ['conservative', 'moderate', 'balanced', 'growth', 'aggressive_growth'],
        value: p?.risk_level,
      },
      {
        name: 'liquidity',
        label: 'Liquidity',
        type: 'select',
        required: true,
        options: ['daily', 'monthly', 'quarterly', 'illiquid'],
        value: p?.liquidity,
      },
      {
        name: 'minimum_investment',
        label: 'Minimum investment',
        type: 'number',
        required: true,
        step: '0.01',
        value: p?.minimum_investment,
      },
      {
        name: 'currency',
        label: 'Currency',
        required: true,
        hint: 'ISO 4217, such as USD',
        value: p?.currency ?? 'USD',
      },
      {
        name: 'management_fee_percent',
        label: 'Annual fee (% of assets)',
        type: 'number',
        required: true,
        step: '0.001',
        value: p?.management_fee_percent,
      },
    ];
    const rows = products.map((p) => ({
      key: p.id,
      cells: [
        p.name,
        humanize(p.category),
        humanize(p.risk_level),
        humanize(p.liquidity),
        `${p.minimum_investment.toLocaleString('en-US')} ${p.currency}`,
        `${p.management_fee_percent}%`,
        `v${p.version}`,
        p.active ? 'Offered' : 'Retired',
        p.active
          ? h(
              'span',
              { class: 'row' },
              h(
                'button',
                {
                  type: 'button',
                  'data-action': 'edit',
                  onclick: () =>
                    replaceChildren(
                      editor,
                      h('h2', {}, `Edit ${p.name} (a new version)`),
                      adminForm({
                        name: 'edit-product',
                        submitLabel: 'Save new version',
                        fields: terms(p),
                        submit: async (values) => (
                          await answerOf(
                            hub.PATCH('/api/admin/products/{id}', {
                              params: { path: { id: p.id } },
                              body: asBody(values),
                            }),
                          ),
                          await this.reload(),
                          'Saved'
                        ),
                      }),
                    ),
                },
                'Edit',
              ),
              h(
                'button',
                {
                  type: 'button',
                  class: 'danger',
                  'data-action': 'retire',
                  onclick: async () => (
                    await answerOf(hub.POST('/api/admin/products/{id}/retire', { params: { path: { id: p.id } } })),
                    await this.reload()
                  ),
                },
                'Retire',
              ),
            )
          : '',
      ],
    }));
    return [
      adminTable(
        'products',
        ['Name', 'Asset class', 'Risk', 'Liquidity', 'Minimum', 'Fee', 'Version', 'Status', ''],
        rows,
      ),
      editor,
      h('h2', {}, 'New product'),
      adminForm({
        name: 'new-product',
        submitLabel: 'Add product',
        fields: [
          {
            name: 'id',
            label: 'Product id',
            required: true,
            hint: 'prd_ and lower-case letters, such as prd_core_bond',
          },
          ...terms(),
        ],
        submit: async (values) => (
          await answerOf(hub.POST('/api/admin/products', { body: asBody(values) })),
          await this.reload(),
          'Added'
        ),
      }),
    ];
  }

  private async settings(): Promise<Node[]> {
    const { settings } = await answerOf(hub.GET('/api/admin/settings'));
    const fields: FieldSpec[] = settings.map((s) => ({
      name: s.key,
      label: `${s.label} (${s.unit})`,
      type: typeof s.default === 'boolean' ? 'checkbox' : typeof s.default === 'number' ? 'number' : 'text',
      value: s.value,
      hint: s.meaning,
    }));
    return [
      adminForm({
        name: 'settings',
        submitLabel: 'Save settings',
        fields,
        submit: async (values: FormValues) => {
          const changed = Object.fromEntries(
            Object.entries(values).filter(([key, value]) => settings.find((s) => s.key === key)?.value !== value),
          );
          if (!Object.keys(changed).length) return 'Nothing changed';
          await answerOf(hub.PATCH('/api/admin/settings', { body: asBody(changed) }));
          return 'Saved';
        },
      }),
    ];
  }

  private async sla(): Promise<Node[]> {
    const [{ policies }, { calendars }] = await Promise.all([
      answerOf(hub.GET('/api/sla/policies')),
      answerOf(hub.GET('/api/sla/calendars')),
    ]);
    const editor = h('div', { class: 'admin-editor' });
    const rows = policies.map((p) => ({
      key: p.id,
      cells: [
        `${humanize(p.process_type)} · ${humanize(p.state)}`,
        `${p.target.amount} ${humanize(p.target.unit)}`,
        p.calendar_id ?? '—',
        p.rungs.map((r) => `${r.kind} at ${r.at_percent}%`).join(', '),
        p.active ? 'Active' : 'Inactive',
        h(
          'button',
          {
            type: 'button',
            'data-action': 'edit',
            onclick: () =>
              replaceChildren(
                editor,
                h('h2', {}, `Target of ${humanize(p.state)}`),
                adminForm({
                  name: 'edit-sla',
                  submitLabel: 'Save policy',
                  fields: [
                    { name: 'amount', label: 'Target amount', type: 'number', required: true, value: p.target.amount },
                    {
                      name: 'unit',
                      label: 'Unit',
                      type: 'select',
                      required: true,
                      options: ['business_hours', 'business_days', 'wall_clock_hours'],
                      value: p.target.unit,
                    },
                    {
                      name: 'calendar_id',
                      label: 'Business calendar',
                      type: 'select',
                      options: calendars.map((c) => [c.id, c.name] as [string, string]),
                      value: p.calendar_id,
                    },
                  ],
                  submit: async (values) => {
                    const { id: _id, updated_by: _by, updated_at: _at, ...body } = p;
                    const calendar_id = typeof values.calendar_id === 'string' ? values.calendar_id : null;
                    await answerOf(
                      hub.PUT('/api/sla/policies/{id}', {
                        params: { path: { id: p.id } },
                        body: {
                          ...body,
                          target: asBody<Policy['target']>({ amount: values.amount, unit: values.unit }),
                          calendar_id,
                        },
                      }),
                    );
                    await this.reload();
                    return 'Saved';
                  },
                }),
              ),
          },
          'Edit',
        ),
      ],
    }));
    const calendarRows = calendars.map((c) => ({
      key: c.id,
      cells: [
        c.name,
        c.time_zone,
        c.holiday_region ?? '—',
        Object.entries(c.working_hours as Record<string, { start: string; end: string }[]>)
          .map(([day, spans]) => `${day} ${spans.map((s) => `${s.start}–${s.end}`).join(', ')}`)
          .join('; '),
      ],
    }));
    return [
      h('h2', {}, 'SLA policies'),
      adminTable('sla-policies', ['Process and state', 'Target', 'Calendar', 'Rungs', 'Status', ''], rows),
      editor,
      h('h2', {}, 'Business calendars'),
      adminTable('calendars', ['Name', 'Time zone', 'Holidays', 'Working hours'], calendarRows),
    ];
  }

  private async slack(): Promise<Node[]> {
    const [{ links }, { users }] = await Promise.all([
      answerOf(hub.GET('/api/admin/slack-users')),
      answerOf(hub.GET('/api/admin/users', { params: { query: { active: 'true' } } })),
    ]);
    const rows = links.map((link) => ({
      key: link.slack_user_id,
      cells: [
        link.slack_user_id,
        `${link.user_name} <${link.user_email}>`,
        link.source === 'admin' ? 'By an administrator' : 'Same e-mail in Slack',
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            'data-action': 'unlink',
            onclick: async () => (
              await answerOf(
                hub.DELETE('/api/admin/slack-users/{slack_user_id}', {
                  params: { path: { slack_user_id: link.slack_user_id } },
                }),
              ),
              await this.reload()
            ),
          },
          'Unlink',
        ),
      ],
    }));
    return [
      adminTable('slack-links', ['Slack user', 'Hub user', 'Linked', ''], rows),
      h('h2', {}, 'Link a Slack account'),
      adminForm({
        name: 'slack-link',
        submitLabel: 'Link',
        fields: [
          {
            name: 'slack_user_id',
            label: 'Slack user id',
            required: true,
            hint: 'Such as U0123ABCD (in Slack: profile, ⋯, Copy member ID)',
          },
          {
            name: 'user_id',
            label: 'Hub user',
            type: 'select',
            required: true,
            options: users.map((u) => [u.id, `${u.name} (${humanize(u.role)})`] as [string, string]),
          },
        ],
        submit: async ({ slack_user_id, user_id }) => (
          await answerOf(
            hub.PUT('/api/admin/slack-users/{slack_user_id}', {
              params: { path: { slack_user_id: String(slack_user_id) } },
              body: { user_id: String(user_id) },
            }),
          ),
          await this.reload(),
          'Linked'
        ),
      }),
    ];
  }
}
