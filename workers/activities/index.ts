import { ApplicationFailure, Context } from '@temporalio/activity';
import type PgBoss from 'pg-boss';
import type { Sql } from '../../db/client.js';
import { loadSlaPolicy } from '../../db/sla.js';
import { leastLoadedOfficerFor, positionHolders } from '../../db/hierarchy.js';
import type { Position } from '../../workflows/sla/sla-schedule.js';
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

    /** The compliance officer for a client's application: see leastLoadedOfficerFor. */
    async assignComplianceOfficer(input: { process_id: string; client_id: string }): Promise<string | null> {
      return leastLoadedOfficerFor(deps.sql, input.client_id);
    },

    /** Histories recorded before client_id was passed call this without it: such clocks keep the policy's calendar. */
    async loadSlaPolicy(input: { process_type: string; state: string; at: string; client_id?: string | null }) {
      return loadSlaPolicy(deps.sql, input.process_type, input.state, new Date(input.at), input.client_id ?? null);
    },

    /** Who holds each hierarchy position a rung names for a client, at the moment the rung fires. */
    async resolvePositions(input: { client_id: string | null; positions: Position[] }) {
      return positionHolders(deps.sql, input.client_id, input.positions);
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
