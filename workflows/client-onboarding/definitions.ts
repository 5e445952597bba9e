import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import type { CommandDefinition } from '../process-kit.js';
import { ApprovalSchema, type Actor, type Approval, type SlaSnapshot } from '../process-records.js';
import {
  ACTIVITY_BANDS,
  CLIENT_TYPES,
  EMPLOYMENT_STATUSES,
  INVESTMENT_EXPERIENCE,
  SOURCES_OF_WEALTH,
  ONBOARDING_STATUSES,
  RISK_RATINGS,
  WEALTH_BANDS,
  type ClientType,
  type OnboardingCommand,
  type RiskRating,
} from './spec.js';

/** Messages of the onboarding workflow: hub/, server/ and bots/ import these, never the workflow body. */

const text = (max: number) => z.string().trim().min(1).max(max);
const country = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2}$/, 'a two-letter ISO 3166 country code')
  .transform((code) => code.toUpperCase());
const pastDate = z.iso
  .date()
  .refine((date) => date <= new Date().toISOString().slice(0, 10), 'must not be in the future');

/** The profile, section by section; each is checked whole, so a refusal names the field within it. */
export const ProfileSchema = z
  .object({
    identity: z
      .object({
        legal_name: text(200),
        /** Birth for a person, incorporation for an entity. */
        date_of_birth_or_incorporation: pastDate,
        nationality_or_incorporation_country: country,
        registration_number: text(100).optional(),
        politically_exposed: z.boolean(),
        beneficial_owners: z
          .array(z.object({ name: text(200), ownership_percent: z.number().positive().max(100) }).strict())
          .max(20)
          .optional(),
      })
      .strict(),
    contact: z
      .object({
        email: z.email().max(200),
        phone: z
          .string()
          .trim()
          .regex(/^\+[1-9][0-9]{6,14}$/, 'an international number such as +14155550100'),
        address: z
          .object({ line1: text(200), line2: text(200).optional(), city: text(100), postal_code: text(20), country })
          .strict(),
      })
      .strict(),
    tax_residence: z
      .array(z.object({ country, tax_id: text(50) }).strict())
      .min(1)
      .max(5),
    employment: z
      .object({
        status: z.enum(EMPLOYMENT_STATUSES as [string, ...string[]]),
        employer: text(200).optional(),
        occupation: text(200).optional(),
      })
      .strict(),
    source_of_wealth: z
      .object({
        source: z.enum(SOURCES_OF_WEALTH),
        detail: text(2000).optional(),
        net_worth_band: z.enum(WEALTH_BANDS),
      })
      .strict(),
    expected_activity: z
      .object({
        annual_deposits_band: z.enum(ACTIVITY_BANDS),
        transactions_per_month: z.number().int().min(0).max(10_000),
        cross_border: z.boolean(),
      })
      .strict(),
    investment_experience: z
      .object({ level: z.enum(INVESTMENT_EXPERIENCE), years: z.number().int().min(0).max(80) })
      .strict(),
  })
  .strict();
export type Profile = z.infer<typeof ProfileSchema>;
export type ProfileSection = keyof Profile;
export const PROFILE_SECTIONS = Object.keys(ProfileSchema.shape) as ProfileSection[];

export const SaveProfileInputSchema = ProfileSchema.partial().strict();
/** Sections given here are saved first; the whole profile must then be complete. */
export const SubmitProfileInputSchema = ProfileSchema.partial().strict();
export const SubmitDocumentsInputSchema = z.object({}).strict();
export const ClearHitInputSchema = z.object({ hit_id: text(100), reason: text(2000) }).strict();
export const ConfirmHitInputSchema = z
  .object({ hit_id: text(100), outcome: z.enum(['reject', 'enhanced_due_diligence']), reason: text(2000) })
  .strict();
export const ApproveInputSchema = z.object({ notes: text(5000).optional() }).strict();
export const RejectInputSchema = z.object({ rejection_reason: text(2000) }).strict();
export const CancelInputSchema = z.object({ reason: text(2000).optional() }).strict();

export type SaveProfileInput = z.infer<typeof SaveProfileInputSchema>;
export type ClearHitInput = z.infer<typeof ClearHitInputSchema>;
export type ConfirmHitInput = z.infer<typeof ConfirmHitInputSchema>;
export type ApproveInput = z.infer<typeof ApproveInputSchema>;
export type RejectInput = z.infer<typeof RejectInputSchema>;
export type CancelInput = z.infer<typeof CancelInputSchema>;

export const SCREENING_LISTS = ['sanctions', 'pep'] as const;
export type ScreeningList = (typeof SCREENING_LISTS)[number];

/** A possible match of one of the client's names against one list entry. */
export const ScreeningMatchSchema = z.object({
  list: z.enum(SCREENING_LISTS),
  entry_id: z.string(),
  listed_name: z.string(),
  /** The alternate name (a.k.a.) of the listed party that matched, when it was not the listed name. */
  listed_alias: z.string().nullable().optional().describe('The a.k.a. that matched, if not the name'),
  matched_name: z.string(),
  /** 0..100, from the token-sorted, transliterated names. */
  score: z.number(),
  program: z.string().nullable(),
});
export type ScreeningMatch = z.infer<typeof ScreeningMatchSchema>;

export const ClearanceSchema = z.object({ by: z.string(), name: z.string(), reason: z.string(), at: z.string() });
export type Clearance = z.infer<typeof ClearanceSchema>;

export const ScreeningHitSchema = ScreeningMatchSchema.extend({
  hit_id: z.string(),
  status: z.enum(['open', 'cleared', 'confirmed']),
  /** A false positive is cleared once two different officers have cleared it. */
  clearances: z.array(ClearanceSchema),
  confirmation: ClearanceSchema.extend({ outcome: z.enum(['reject', 'enhanced_due_diligence']) }).nullable(),
});
export type ScreeningHit = z.infer<typeof ScreeningHitSchema>;

export const ScreeningResultSchema = z.object({
  screened_at: z.string(),
  /** When the newest list entry screened against was imported; null when no list has been imported. */
  lists_as_of: z.string().nullable(),
  names: z.array(z.string()),
  hits: z.array(ScreeningHitSchema),
});
export type ScreeningResult = z.infer<typeof ScreeningResultSchema>;

export const RiskFactorSchema = z.object({
  factor: z.enum(['jurisdiction', 'pep', 'source_of_wealth', 'expected_activity']),
  value: z.string(),
  points: z.number(),
  /** A factor that makes the client high risk on its own. */
  decisive: z.boolean(),
  note: z.string(),
});
export type RiskFactor = z.infer<typeof RiskFactorSchema>;

export const RiskAssessmentSchema = z.object({
  rating: z.enum(RISK_RATINGS),
  score: z.number(),
  factors: z.array(RiskFactorSchema),
});
export type RiskAssessment = z.infer<typeof RiskAssessmentSchema>;

export type { Approval };

/** Everything the hub knows about an onboarding; the read model row and the API response are this shape. */
export const OnboardingRecordSchema = z.object({
  onboarding_id: z.string(),
  client_id: z.string(),
  client_name: z.string(),
  client_user_id: z.string().nullable(),
  client_type: z.enum(CLIENT_TYPES),
  advisor_id: z.string().nullable(),
  invited_by: z.string(),
  status: z.enum(ONBOARDING_STATUSES),
  profile: ProfileSchema.partial(),
  profile_submitted_at: z.string().nullable(),
  /** Which papers the client type needs: the documents spec's `when` fields. */
  needs_personal_documents: z.boolean(),
  needs_entity_documents: z.boolean(),
  screening: ScreeningResultSchema.nullable(),
  risk: RiskAssessmentSchema.nullable(),
  edd_required: z.boolean(),
  politically_exposed: z.boolean(),
  approvals: z.array(ApprovalSchema),
  approvals_required: z.number(),
  assigned_officer_id: z.string().nullable(),
  review_started_at: z.string().nullable(),
  rejection_reason: z.string().nullable(),
  decided_by: z.string().nullable(),
  decided_at: z.string().nullable(),
  kyc_expires_at: z.string().nullable(),
  /** For a periodic review, when the KYC it renews falls due. */
  review_of_kyc_expiring: z.string().nullable(),
  expires_at: z.string(),
  status_entered_at: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  version: z.number(),
});
export type OnboardingRecord = z.infer<typeof OnboardingRecordSchema>;

export interface OnboardingInput {
  onboarding_id: string;
  client: {
    id: string;
    name: string;
    advisor_id: string | null;
    user_id: string | null;
    client_type: ClientType;
    politically_exposed: boolean;
  };
  invited_by: Actor;
  /** Years until the periodic review, by risk rating (the kyc_review_years_* settings). */
  kyc_review_years: Record<RiskRating, number>;
  /** Days the client has to finish before the onboarding expires (the onboarding_expiry_days setting). */
  expires_after_days: number;
  /** A periodic review: when the KYC it renews falls due. Absent for a first onboarding. */
  review_of_kyc_expiring?: string;
}

export interface OnboardingMessage<T = object> {
  actor: Actor;
  input: T;
}

export interface CommandResult {
  record: OnboardingRecord;
  sla: SlaSnapshot | null;
}

const update = <T>(name: string) => defineUpdate<CommandResult, [OnboardingMessage<T>]>(name);
export const startOnboardingUpdate = defineUpdate<CommandResult, []>('startOnboarding');

/** The commands on one onboarding, each with its Update and its input. */
export const ONBOARDING_COMMANDS = {
  save_profile: { update: update('saveProfile'), input: SaveProfileInputSchema },
  submit_profile: { update: update('submitProfile'), input: SubmitProfileInputSchema },
  submit_documents: { update: update('submitDocuments'), input: SubmitDocumentsInputSchema },
  clear_screening_hit: { update: update('clearScreeningHit'), input: ClearHitInputSchema },
  confirm_screening_hit: { update: update('confirmScreeningHit'), input: ConfirmHitInputSchema },
  compliance_approve: { update: update('approveOnboarding'), input: ApproveInputSchema },
  compliance_reject: { update: update('rejectOnboarding'), input: RejectInputSchema },
  cancel_onboarding: { update: update('cancelOnboarding'), input: CancelInputSchema },
} as const satisfies Partial<Record<OnboardingCommand, CommandDefinition<CommandResult, OnboardingMessage>>>;
export type OnboardingCommandName = keyof typeof ONBOARDING_COMMANDS;

export const onboardingStateQuery = defineQuery<OnboardingRecord>('onboardingState');

export function onboardingWorkflowId(onboardingId: string): string {
  return `client-onboarding/${onboardingId}`;
}

export const CLIENT_ONBOARDING_WORKFLOW_TYPE = 'clientOnboardingWorkflow';

/** What the KYC review Schedule starts each run: one review onboarding for each client whose KYC nears expiry. */
export const KYC_REVIEW_WORKFLOW_TYPE = 'kycReviewWorkflow';

export function kycReviewScheduleId(taskQueue: string): string {
  return `kyc-review/${taskQueue}`;
}

export interface KycReviewResult {
  started: { client_id: string; onboarding_id: string }[];
  already_open: string[];
}

export { CLIENT_TYPES };
