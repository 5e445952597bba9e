import type { ProcessSpec } from '../../workflows/process-spec.js';

/** Who may link Slack accounts to hub users: asked through the permission policy, like every other command. */
export const SLACK_ADMIN_SPEC = {
  commands: {
    manage_slack_users: { label: 'Manage Slack user links', from: [], roles: { admin: 'any' }, board: false },
  },
} as const satisfies Pick<ProcessSpec, 'commands'>;
