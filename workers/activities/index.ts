import type PgBoss from 'pg-boss';
import type { Sql } from '../../db/client.js';
import { recordTransition } from '../../db/transitions.js';
import type { TransitionRecording } from '../../workflows/process-records.js';
import type { CrmAccountRequest, CrmAdapter } from '../crm/crm.js';
import { createRebalancingActivities, type RebalancingActivityDeps } from './rebalancing.js';

export interface ActivityDeps {
  sql: Sql;
  boss: PgBoss;
  crm: CrmAdapter;
  rebalancing: Omit<RebalancingActivityDeps, 'sql'>;
}

/** Every side effect a workflow may ask for. Workflows import this file's types only. */
export function createActivities(deps: ActivityDeps) {
  return {
    async recordTransition(recording: TransitionRecording) {
      return recordTransition(deps.sql, deps.boss, recording);
    },

    /** The active compliance officer with the fewest applications in review; ties go to the lowest id. */
    async assignComplianceOfficer(_input: { process_id: string; client_id: string }): Promise<string | null> {
      const [officer] = await deps.sql`
        SELECT u.id
        FROM users u
        LEFT JOIN processes p ON p.assigned_user_id = u.id AND p.status = 'compliance_review'
        WHERE u.role = 'compliance_officer' AND u.active
        GROUP BY u.id
        ORDER BY count(p.process_id), u.id
        LIMIT 1`;
      return (officer?.id as string | undefined) ?? null;
    },

    async createCrmAccount(request: CrmAccountRequest) {
      return deps.crm.createAccount(request);
    },

    ...createRebalancingActivities({ sql: deps.sql, ...deps.rebalancing }),
  };
}

export type HubActivities = ReturnType<typeof createActivities>;
