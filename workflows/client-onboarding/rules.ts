import { mayRun, type ProcessRelations } from '../policy.js';
import type { CommandRefusal } from '../process-kit.js';
import {
  outcomeOf,
  type Actor,
  type ChangeOutcome,
  type EmittedEvent,
  type NotificationIntent,
  type Recipient,
} from '../process-records.js';
import { isTerminal } from '../process-spec.js';
import {
  PROFILE_SECTIONS,
  type ApproveInput,
  type CancelInput,
  type ClearHitInput,
  type ConfirmHitInput,
  type OnboardingInput,
  type OnboardingRecord,
  type Profile,
  type RejectInput,
  type SaveProfileInput,
  type ScreeningHit,
  type ScreeningMatch,
} from './definitions.js';
import { rateRisk } from './risk-rating.js';
import { clientOnboardingSpec as spec, type OnboardingCommand, type OnboardingStatus } from './spec.js';

/**
 * The onboarding's rules as pure functions: checks that refuse a command with its error code, and the
 * outcomes that compute the next record, its events and notifications. The workflow is a shell around them.
 */

export type Outcome = ChangeOutcome<OnboardingRecord>;

const refuse = (code: string, message?: string, details?: Record<string, unknown>): CommandRefusal => ({
  code,
  message,
  details,
});

export function relationsOf(record: Pick<OnboardingRecord, 'client_user_id' | 'advisor_id'>): ProcessRelations {
  return { client_user_id: record.client_user_id, advisor_id: record.advisor_id };
}

const hitOf = (record: OnboardingRecord, hitId: string) => record.screening?.hits.find((h) => h.hit_id === hitId);

/** May this actor run this command on the onboarding as it stands? Permission, then status, then four eyes. */
export function checkAllowed(
  record: OnboardingRecord,
  command: OnboardingCommand,
  actor: Actor,
): CommandRefusal | null {
  const commandSpec = spec.commands[command];
  if (!mayRun(spec, command, actor, relationsOf(record)))
    return refuse('FORBIDDEN', `${actor.role} ${actor.user_id} may not ${commandSpec.label.toLowerCase()} here`);
  if (!(commandSpec.from as readonly string[]).includes(record.status))
    return refuse(
      'INVALID_STATUS_TRANSITION',
      `${commandSpec.label} is not allowed while the onboarding is ${record.status}`,
      {
        status: record.status,
      },
    );
  if (command === 'compliance_approve') {
    if (actor.user_id === record.invited_by || actor.user_id === record.advisor_id)
      return refuse('FOUR_EYES_VIOLATION', 'You cannot approve an onboarding you started or advise on');
    if (record.approvals.some((a) => a.approved_by === actor.user_id))
      return refuse('SECOND_APPROVER_REQUIRED', 'A high-risk client needs a second approval by a different officer');
  }
  return null;
}

const missingSections = (profile: Partial<Profile>) => PROFILE_SECTIONS.filter((s) => profile[s] === undefined);

/** Whatever the (well-formed) input says: is it enough to run the command? */
export function checkInput(record: OnboardingRecord, command: OnboardingCommand, input: object): CommandRefusal | null {
  switch (command) {
    case 'submit_profile': {
      const profile = { ...record.profile, ...(input as SaveProfileInput) };
      const missing = missingSections(profile);
      if (missing.length)
        return refuse('PROFILE_INCOMPLETE', `The profile is missing: ${missing.join(', ')}`, { missing });
      if (record.client_type === 'entity' && !profile.identity?.beneficial_owners?.length)
        return refuse('VALIDATION_FAILED', 'identity.beneficial_owners: an entity names its beneficial owners', {
          field: 'identity.beneficial_owners',
        });
      return null;
    }
    case 'submit_documents':
      return record.profile_submitted_at ? null : refuse('PROFILE_INCOMPLETE', 'Submit the profile first');
    case 'clear_screening_hit':
    case 'confirm_screening_hit': {
      const { hit_id } = input as ClearHitInput;
      const hit = hitOf(record, hit_id);
      if (!hit) return refuse('SCREENING_HIT_NOT_FOUND', `No screening hit ${hit_id} on this onboarding`);
      if (hit.status !== 'open') return refuse('SCREENING_HIT_DECIDED', `Hit ${hit_id} is already ${hit.status}`);
      return null;
    }
    default:
      return null;
  }
}

/** Also a cleared hit needs its second officer: checked with the actor, once the hit is known to exist. */
export function checkClearance(record: OnboardingRecord, input: ClearHitInput, actor: Actor): CommandRefusal | null {
  const hit = hitOf(record, input.hit_id);
  if (hit?.clearances.some((c) => c.by === actor.user_id))
    return refuse(
      'SECOND_OFFICER_REQUIRED',
      'You cleared this hit already; a different compliance officer must clear it too',
    );
  return null;
}

function statusChange(record: OnboardingRecord, status: OnboardingStatus, now: string): OnboardingRecord {
  return status === record.status ? record : { ...record, status, status_entered_at: now };
}

const clientAndAdvisor = (record: OnboardingRecord): Recipient[] =>
  [record.client_user_id, record.advisor_id].filter((id): id is string => Boolean(id)).map((user_id) => ({ user_id }));

const unresolved = (hits: readonly ScreeningHit[]) => hits.filter((h) => h.status === 'open');

/** Entering compliance review: the risk rating from the profile and the screening's confirmed hits. */
function toReview(record: OnboardingRecord, now: string): OnboardingRecord {
  const confirmedEdd = (record.screening?.hits ?? []).some(
    (h) => h.status === 'confirmed' && h.confirmation?.outcome === 'enhanced_due_diligence',
  );
  const pepConfirmed = (record.screening?.hits ?? []).some((h) => h.status === 'confirmed' && h.list === 'pep');
  const politicallyExposed =
    record.politically_exposed || pepConfirmed || Boolean(record.profile.identity?.politically_exposed);
  const risk = rateRisk({
    profile: record.profile as Profile,
    politically_exposed: politicallyExposed,
    confirmed_hit: confirmedEdd,
  });
  const high = risk.rating === 'high';
  return statusChange(
    {
      ...record,
      risk,
      politically_exposed: politicallyExposed,
      edd_required: high,
      approvals_required: high ? 2 : 1,
    },
    'compliance_review',
    now,
  );
}

export function applyCommand(
  record: OnboardingRecord,
  command: OnboardingCommand,
  input: object,
  actor: Actor,
  now: string,
): Outcome {
  const base = { ...record, updated_at: now, version: record.version + 1 };
  const id = record.onboarding_id;
  const outcome = outcomeOf(record, command, actor);
  const event = (type: string, payload: Record<string, unknown> = {}) => ({
    type,
    payload: { onboarding_id: id, ...payload, timestamp: now },
  });

  switch (command) {
    case 'save_profile': {
      const profile = { ...record.profile, ...(input as SaveProfileInput) };
      return outcome(statusChange({ ...base, profile }, 'profile', now), [event('onboarding.profile_saved')], [], {
        sections: Object.keys(input),
      });
    }
    case 'submit_profile': {
      const profile = { ...record.profile, ...(input as SaveProfileInput) };
      return outcome(
        statusChange({ ...base, profile, profile_submitted_at: now }, 'documents', now),
        [event('onboarding.profile_submitted', { client_type: record.client_type })],
        [],
        { sections: Object.keys(input) },
      );
    }
    case 'submit_documents':
      return outcome(statusChange(base, 'screening', now), [
        event('onboarding.documents_submitted', { kinds: spec.documents.kinds }),
      ]);
    case 'clear_screening_hit': {
      const { hit_id, reason } = input as ClearHitInput;
      const hits = record.screening!.hits.map((hit) => {
        if (hit.hit_id !== hit_id) return hit;
        const clearances = [...hit.clearances, { by: actor.user_id, name: actor.name, reason, at: now }];
        return { ...hit, clearances, status: clearances.length >= 2 ? ('cleared' as const) : hit.status };
      });
      const cleared = hits.find((h) => h.hit_id === hit_id)!;
      const next = { ...base, screening: { ...record.screening!, hits } };
      const notifications: NotificationIntent[] =
        cleared.status === 'open'
          ? [
              {
                to: [{ role: 'compliance_officer' }],
                except: [actor.user_id],
                kind: 'second_clearance_needed',
                title: `Second clearance needed for ${record.client_name}`,
                body: `${actor.name} cleared the ${cleared.list} hit on ${cleared.listed_name}; a second officer must confirm`,
              },
            ]
          : [];
      return outcome(
        unresolved(hits).length ? next : toReview(next, now),
        [
          event('onboarding.screening_hit_cleared', {
            hit_id,
            cleared_by: actor.user_id,
            clearances: cleared.clearances.length,
            reason,
          }),
        ],
        notifications,
        { hit_id, reason },
      );
    }
    case 'confirm_screening_hit': {
      const { hit_id, outcome: decision, reason } = input as ConfirmHitInput;
      const confirmation = { by: actor.user_id, name: actor.name, reason, at: now, outcome: decision };
      const hits = record.screening!.hits.map((hit) =>
        hit.hit_id === hit_id ? { ...hit, status: 'confirmed' as const, confirmation } : hit,
      );
      const next = { ...base, screening: { ...record.screening!, hits } };
      const events = [
        event('onboarding.screening_hit_confirmed', { hit_id, outcome: decision, confirmed_by: actor.user_id, reason }),
      ];
      if (decision === 'reject') {
        const rejected = statusChange(
          { ...next, rejection_reason: reason, decided_by: actor.user_id, decided_at: now },
          'rejected',
          now,
        );
        return outcome(
          rejected,
          [...events, event('onboarding.rejected', { rejection_reason: reason, rejected_by: actor.user_id })],
          [{ to: clientAndAdvisor(record), kind: 'onboarding_rejected', title: 'Onboarding rejected', body: reason }],
          { hit_id, outcome: decision, reason },
        );
      }
      return outcome(unresolved(hits).length ? next : toReview(next, now), events, [], {
        hit_id,
        outcome: decision,
        reason,
      });
    }
    case 'compliance_approve': {
      const { notes } = input as ApproveInput;
      const approvals = [
        ...record.approvals,
        {
          approved_by: actor.user_id,
          approver_name: actor.name,
          role: actor.role,
          channel: actor.channel,
          at: now,
          notes: notes ?? null,
        },
      ];
      if (approvals.length < record.approvals_required) {
        return outcome(
          { ...base, approvals },
          [event('onboarding.approval_recorded', { approved_by: actor.user_id })],
          [
            {
              to: [{ role: 'compliance_officer' }],
              except: [actor.user_id],
              kind: 'second_approval_needed',
              title: `Second approval needed for ${record.client_name}`,
              body: `${actor.name} gave the first approval of a high-risk client; a different officer must approve`,
            },
          ],
          { notes: notes ?? null },
        );
      }
      return outcome(
        statusChange({ ...base, approvals, decided_by: actor.user_id, decided_at: now }, 'approved', now),
        [event('onboarding.approved', { approved_by: actor.user_id, risk_rating: record.risk?.rating ?? null })],
        [
          {
            to: clientAndAdvisor(record),
            kind: 'onboarding_approved',
            title: 'Onboarding approved',
            body: `${record.client_name} may now open accounts`,
          },
        ],
        { notes: notes ?? null },
      );
    }
    case 'compliance_reject': {
      const { rejection_reason } = input as RejectInput;
      return outcome(
        statusChange({ ...base, rejection_reason, decided_by: actor.user_id, decided_at: now }, 'rejected', now),
        [event('onboarding.rejected', { rejection_reason, rejected_by: actor.user_id })],
        [
          {
            to: clientAndAdvisor(record),
            kind: 'onboarding_rejected',
            title: 'Onboarding rejected',
            body: rejection_reason,
          },
        ],
        { reason: rejection_reason },
      );
    }
    case 'cancel_onboarding':
      return outcome(
        statusChange(base, 'cancelled', now),
        [event('onboarding.cancelled', { cancelled_by: actor.user_id })],
        [],
        { reason: (input as CancelInput).reason ?? null },
      );
    default:
      throw new Error(`${command} is not applied by applyCommand`);
  }
}

/** The system's steps: screening done, an officer assigned, KYC written, the time limit passed. */
function systemOutcome(
  record: OnboardingRecord,
  next: OnboardingRecord,
  action: string,
  actor: Actor,
  events: EmittedEvent[],
  audit: Record<string, unknown> = {},
  notifications: NotificationIntent[] = [],
): Outcome {
  return { record: next, action, actor, status_before: record.status, events, notifications, audit };
}

export function screened(
  record: OnboardingRecord,
  result: { lists_as_of: string | null; names: string[]; matches: ScreeningMatch[] },
  actor: Actor,
  now: string,
): Outcome {
  const hits: ScreeningHit[] = result.matches.map((match, i) => ({
    ...match,
    hit_id: `hit_${i + 1}`,
    status: 'open',
    clearances: [],
    confirmation: null,
  }));
  const screening = { screened_at: now, lists_as_of: result.lists_as_of, names: result.names, hits };
  const next = { ...record, screening, updated_at: now, version: record.version + 1 };
  return systemOutcome(
    record,
    hits.length ? next : toReview(next, now),
    'screen',
    actor,
    [
      {
        type: 'onboarding.screened',
        payload: {
          onboarding_id: record.onboarding_id,
          hits: hits.length,
          lists_as_of: result.lists_as_of,
          timestamp: now,
        },
      },
    ],
    { names: result.names, hits: hits.map((h) => ({ list: h.list, entry_id: h.entry_id, score: h.score })) },
    hits.length
      ? [
          {
            to: [{ role: 'compliance_officer' }],
            kind: 'screening_hit',
            title: `Screening hit for ${record.client_name}`,
            body: hits.map((h) => `${h.list}: ${h.listed_name} (${h.score}%)`).join('; '),
          },
        ]
      : [],
  );
}

export function reviewStarted(record: OnboardingRecord, officer: string | null, actor: Actor, now: string): Outcome {
  const next = {
    ...record,
    assigned_officer_id: officer,
    review_started_at: now,
    updated_at: now,
    version: record.version + 1,
  };
  return systemOutcome(
    record,
    next,
    'begin_review',
    actor,
    [
      {
        type: 'onboarding.review_started',
        payload: {
          onboarding_id: record.onboarding_id,
          risk_rating: record.risk?.rating ?? null,
          factors: record.risk?.factors ?? [],
          assigned_officer_id: officer,
          timestamp: now,
        },
      },
    ],
    { risk: record.risk },
    officer
      ? [
          {
            to: [{ user_id: officer }],
            kind: 'assignment',
            title: `Review the onboarding of ${record.client_name}`,
            body: `Risk ${record.risk?.rating ?? 'unrated'}`,
          },
        ]
      : [],
  );
}

/** The periodic review falls due 1, 2 or 3 years (the setting) after approval, by risk rating. */
export function kycExpiry(record: OnboardingRecord, input: OnboardingInput, approvedAt: string): string {
  const years = input.kyc_review_years[record.risk?.rating ?? 'high'];
  const at = new Date(approvedAt);
  at.setUTCFullYear(at.getUTCFullYear() + years);
  return at.toISOString();
}

export function kycCompleted(record: OnboardingRecord, expiresAt: string, actor: Actor, now: string): Outcome {
  return systemOutcome(
    record,
    { ...record, kyc_expires_at: expiresAt, updated_at: now, version: record.version + 1 },
    'complete_kyc',
    actor,
    [
      {
        type: 'onboarding.kyc_completed',
        payload: {
          onboarding_id: record.onboarding_id,
          client_id: record.client_id,
          kyc_expires_at: expiresAt,
          timestamp: now,
        },
      },
    ],
    { kyc_expires_at: expiresAt, risk_rating: record.risk?.rating ?? null },
  );
}

export function expired(record: OnboardingRecord, actor: Actor, now: string): Outcome {
  return systemOutcome(
    record,
    statusChange({ ...record, updated_at: now, version: record.version + 1 }, 'expired', now),
    'expire',
    actor,
    [{ type: 'onboarding.expired', payload: { onboarding_id: record.onboarding_id, timestamp: now } }],
    { expires_at: record.expires_at },
    [
      {
        to: clientAndAdvisor(record),
        kind: 'onboarding_expired',
        title: 'Onboarding expired',
        body: `${record.client_name}'s onboarding was not finished in time`,
      },
    ],
  );
}

export function newOnboardingRecord(input: OnboardingInput, now: string): OnboardingRecord {
  const expiresAt = new Date(Date.parse(now) + input.expires_after_days * 86_400_000).toISOString();
  return {
    onboarding_id: input.onboarding_id,
    client_id: input.client.id,
    client_name: input.client.name,
    client_user_id: input.client.user_id,
    client_type: input.client.client_type,
    advisor_id: input.client.advisor_id,
    invited_by: input.invited_by.user_id,
    status: 'invited',
    profile: {},
    profile_submitted_at: null,
    needs_personal_documents: input.client.client_type !== 'entity',
    needs_entity_documents: input.client.client_type === 'entity',
    screening: null,
    risk: null,
    edd_required: false,
    politically_exposed: input.client.politically_exposed,
    approvals: [],
    approvals_required: 1,
    assigned_officer_id: null,
    review_started_at: null,
    rejection_reason: null,
    decided_by: null,
    decided_at: null,
    kyc_expires_at: null,
    review_of_kyc_expiring: input.review_of_kyc_expiring ?? null,
    expires_at: expiresAt,
    status_entered_at: now,
    created_at: now,
    updated_at: now,
    version: 1,
  };
}

export function invitedOutcome(record: OnboardingRecord, actor: Actor): Outcome {
  return systemOutcome(
    record,
    record,
    'invite_client',
    actor,
    [
      {
        type: 'onboarding.invited',
        payload: {
          onboarding_id: record.onboarding_id,
          client_id: record.client_id,
          invited_by: actor.user_id,
          timestamp: record.created_at,
        },
      },
    ],
    { client_type: record.client_type },
  );
}

/** The commands this actor could take now, for buttons and `allowed_actions`. */
export function allowedActions(record: OnboardingRecord, actor: Actor): OnboardingCommand[] {
  if (isTerminal(spec, record.status)) return [];
  return (Object.keys(spec.commands) as OnboardingCommand[]).filter(
    (command) => spec.commands[command].from.length > 0 && checkAllowed(record, command, actor) === null,
  );
}
