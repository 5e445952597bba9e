import type { CommandSpec, ProcessSpec } from './process-spec.js';

/** Who may see a kind of thing (`readers`) and who may do what to it (`commands`), in the one shape the policy reads. */
export type Grants = Partial<Pick<ProcessSpec, 'readers' | 'commands'>>;

const grant = (label: string, roles: CommandSpec<string>['roles']): CommandSpec<string> => ({
  label,
  from: [],
  roles,
  board: false,
});

/**
 * Every grant that is not a process's own (those are its spec's `readers` and command `roles`), side by
 * side: the API, the gateway, the Slack bot and the board ask the policy with these.
 */
export const GRANTS = {
  /**
   * An application's collaborative compliance notes: the firm's internal working notes. The advisor on the
   * application and staff read them, the client does not; compliance officers and admins write.
   */
  compliance_notes: {
    readers: { advisor: 'own', compliance_officer: 'any', manager: 'any', ops: 'any', admin: 'any' },
    commands: {
      edit_compliance_notes: {
        ...grant('Edit compliance notes', { compliance_officer: 'any', admin: 'any' }),
        board: true,
      },
    },
  },
  /**
   * Who settles a query besides whoever asked: otherwise the person asked could close the question, and with
   * it the SLA pause it holds. The API enforces it; the board offers resolve and reopen only to them.
   */
  query_threads: {
    commands: { close_query: grant('Resolve or reopen a query', { compliance_officer: 'any', admin: 'any' }) },
  },
  /** Settings (SLA policies, calendars, mappings): staff read them, only administrators change them. */
  settings: {
    readers: { admin: 'any', manager: 'any', compliance_officer: 'any', ops: 'any' },
    commands: { change_settings: grant('Change settings', { admin: 'any' }) },
  },
  /** The firm's administration: staff, clients, the product shelf and firm settings. */
  administration: {
    commands: {
      manage_users: grant('Manage staff', { admin: 'any' }),
      manage_clients: grant('Manage clients', { admin: 'any' }),
      manage_products: grant('Manage the product shelf', { admin: 'any' }),
      manage_settings: grant('Change firm settings', { admin: 'any' }),
      manage_hierarchy: grant('Maintain offices and teams', { admin: 'any' }),
      manage_notification_defaults: grant('Set notification defaults', { admin: 'any' }),
    },
  },
  /** The trail as a whole (exports, verification) and how long it is kept. */
  audit: {
    readers: { admin: 'any', compliance_officer: 'any' },
    commands: { change_retention: grant('Change the retention period', { admin: 'any' }) },
  },
  /** Linking Slack accounts to hub users. */
  slack_admin: {
    commands: { manage_slack_users: grant('Manage Slack user links', { admin: 'any' }) },
  },
} as const satisfies Record<string, Grants>;
