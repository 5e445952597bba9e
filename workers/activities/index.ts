import { ApplicationFailure, Context } from '@temporalio/activity';
import type PgBoss from 'pg-boss';
import type { Sql } from '../../db/client.js';
import { loadSlaPolicy } from '../../db/sla.js';
import { recordTransition, type TransitionFollowUp } from '../../db/transitions.js';
import type { TransitionRecording } from '../../workflows/process-records.js';
import type { CrmAccountRequest, CrmAdapter } from '../crm/crm.js';
import { createOnboardingActivities } from './client-onboarding.js';
import { createRebalancingActivities, type RebalancingActivityDeps } from './rebalancing.js';

export interface ActivityDeps {
  sql: Sql;
  boss: PgBoss;
  crm: CrmAdapter;
  /** Written with every recorded change, in its transaction. */
  followUps?: readonly TransitionFollowUp[];
  rebalancing: Omit<RebalancingActivityDeps, 'sql'>;
}

/** Every side effect a workflow may ask for. Workflows import this file's types only. */
export function createActivities(deps: ActivityDeps) {
  return {
    async recordTransition(recording: TransitionRecording) {
      return recordTransition(deps.sql, deps.boss, recording, deps.followUps);
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

    async loadSlaPolicy(input: { process_type: string; state: string; at: string }) {
      return loadSlaPolicy(deps.sql, input.process_type, input.state, new Date(input.at));
    },

    /** Each failure carries its attempt number, so the recorded failure says how many calls were made. */
    async createCrmAccount(request: CrmAccountRequest) {
      try {
        return await deps.crm.createAccount(request);
      } catch (error) {
        const attempt = Context.current().info.attempt;
        const nonRetryable = error instanceof ApplicationFailure && Boolean(error.nonRetryable);
        throw ApplicationFailure.create({
          message: error instanceof Error ? error.message : String(error),
          type: error instanceof ApplicationFailure && error.type ? error.type : 'CRM_ERROR',
          nonRetryable,
          details: [{ attempt }],
        });
      }
    },

    ...createRebalancingActivities({ sql: deps.sql, ...deps.rebalancing }),
    ...createOnboardingActivities({ sql: deps.sql }),
  };
}

export type HubActivities = ReturnType<typeof createActivities>;
