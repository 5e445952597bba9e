import { adminForm, adminTable, asBody, type FormValues } from './admin-forms.js';
import { answerOf, hub } from './api.js';
import type { Schema } from './api-types.js';
import { h } from './dom.js';

export type Team = Schema<'Team'>;
export interface Hierarchy {
  offices: Schema<'Office'>[];
  teams: Team[];
}

export const loadHierarchy = (): Promise<Hierarchy> => answerOf(hub.GET('/api/hierarchy'));

/** A team as people say it: "London · Wealth". */
export function teamLabel(hierarchy: Hierarchy, team: Team): string {
  const office = hierarchy.offices.find((o) => o.id === team.office_id);
  return `${office?.name ?? team.office_id} · ${team.name}`;
}

/** Blank optional ids go as null: "no manager", "no team", "the whole firm". */
const idOrNull = (value: FormValues[string] | undefined) => (typeof value === 'string' && value ? value : null);

/**
 * The administration section for the firm's hierarchy: offices (time zone, calendar, manager), their teams,
 * and who belongs where. Every change goes through the admin API, which audits it and re-scopes boards at once.
 */
export async function hierarchySection(reload: () => Promise<void>): Promise<Node[]> {
  const [hierarchy, { calendars }, { users }] = await Promise.all([
    loadHierarchy(),
    answerOf(hub.GET('/api/sla/calendars')),
    answerOf(hub.GET('/api/admin/users')),
  ]);
  const staff = users.filter((u) => u.active && u.role !== 'client');
  const managers = staff.filter((u) => u.role === 'manager').map((u) => [u.id, u.name] as [string, string]);
  const nameOf = (id: string | null) => (id ? (users.find((u) => u.id === id)?.name ?? id) : '—');
  const officeOptions = hierarchy.offices.map((o) => [o.id, o.name] as [string, string]);
  const teamOptions = hierarchy.teams.map((t) => [t.id, teamLabel(hierarchy, t)] as [string, string]);
  const calendarOptions = calendars.map((c) => [c.id, c.name] as [string, string]);

  return [
    h('h2', {}, 'Offices'),
    adminTable(
      'offices',
      ['Office', 'Time zone', 'Calendar', 'Manager'],
      hierarchy.offices.map((o) => ({
        key: o.id,
        cells: [o.name, o.time_zone, o.calendar_id ?? '—', nameOf(o.manager_id)],
      })),
    ),
    adminForm({
      name: 'new-office',
      submitLabel: 'Open office',
      fields: [
        { name: 'name', label: 'Name', required: true },
        { name: 'time_zone', label: 'Time zone', required: true, hint: 'IANA, such as Europe/London' },
        { name: 'calendar_id', label: 'Business calendar', type: 'select', options: calendarOptions },
        { name: 'manager_id', label: 'Office manager', type: 'select', options: managers },
      ],
      submit: async (values) => {
        const body = { ...values, calendar_id: idOrNull(values.calendar_id), manager_id: idOrNull(values.manager_id) };
        await answerOf(hub.POST('/api/admin/offices', { body: asBody(body) }));
        await reload();
      },
    }),
    h('h2', {}, 'Teams'),
    adminTable(
      'teams',
      ['Team', 'Manager', ''],
      hierarchy.teams.map((t) => {
        const manager = adminForm({
          name: `team-manager-${t.id}`,
          submitLabel: 'Set manager',
          className: 'inline',
          fields: [
            { name: 'manager_id', label: 'Manager', type: 'select', options: managers, value: t.manager_id ?? '' },
          ],
          submit: async (values) => {
            await answerOf(
              hub.PATCH('/api/admin/teams/{id}', {
                params: { path: { id: t.id } },
                body: { manager_id: idOrNull(values.manager_id) },
              }),
            );
            await reload();
          },
        });
        return { key: t.id, cells: [teamLabel(hierarchy, t), nameOf(t.manager_id), manager] };
      }),
    ),
    adminForm({
      name: 'new-team',
      submitLabel: 'Form team',
      fields: [
        { name: 'office_id', label: 'Office', type: 'select', options: officeOptions, required: true },
        { name: 'name', label: 'Name', required: true },
        { name: 'manager_id', label: 'Team manager', type: 'select', options: managers },
      ],
      submit: async (values) => {
        const body = { ...values, manager_id: idOrNull(values.manager_id) };
        await answerOf(hub.POST('/api/admin/teams', { body: asBody(body) }));
        await reload();
      },
    }),
    h('h2', {}, 'Who belongs where'),
    h(
      'p',
      { class: 'muted' },
      'Staff in a team see its processes, staff in an office (such as compliance officers) the whole office, ' +
        'staff in neither the whole firm. A client moved to a team takes their processes with them.',
    ),
    adminForm({
      name: 'place-user',
      submitLabel: 'Place',
      fields: [
        {
          name: 'user_id',
          label: 'Member of staff',
          type: 'select',
          required: true,
          options: staff.map((u) => [u.id, u.name]),
        },
        { name: 'team_id', label: 'Team', type: 'select', options: teamOptions },
        { name: 'office_id', label: 'Or office', type: 'select', options: officeOptions },
      ],
      submit: async (values) => {
        await answerOf(
          hub.PUT('/api/admin/users/{id}/place', {
            params: { path: { id: String(values.user_id) } },
            body: { team_id: idOrNull(values.team_id), office_id: idOrNull(values.office_id) },
          }),
        );
        return 'Placed: their boards follow at once';
      },
    }),
    adminForm({
      name: 'place-client',
      submitLabel: 'Move client',
      fields: [
        { name: 'client_id', label: 'Client id', required: true },
        { name: 'team_id', label: 'Team', type: 'select', options: teamOptions },
      ],
      submit: async (values) => {
        const moved = await answerOf(
          hub.PUT('/api/admin/clients/{id}/team', {
            params: { path: { id: String(values.client_id) } },
            body: { team_id: idOrNull(values.team_id) },
          }),
        );
        return `Moved, with ${moved.moved_processes.length} process(es)`;
      },
    }),
  ];
}
