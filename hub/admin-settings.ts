import { IANAZone } from 'luxon';
import { z } from 'zod';
import type { Sql } from '../db/client.js';
import { getSetting, listSettings, putSetting } from '../db/settings.js';
import { HubError } from '../workflows/errors.js';
import type { Actor } from '../workflows/process-records.js';
import { auditedWork, requireAdmin } from './admin-access.js';

const money = z
  .number()
  .min(0)
  .max(1e12)
  .refine((n) => Math.abs(Math.round(n * 100) - n * 100) < 1e-6, 'at most two decimals');

const years = z.number().int().min(1).max(10);

/** Every firm setting an administrator may change: its meaning, unit, rule and default, as the board shows them. */
export const FIRM_SETTINGS = {
  edd_threshold: {
    label: 'Enhanced due diligence threshold',
    meaning: 'Account applications whose initial investment is above this amount need enhanced due diligence.',
    unit: 'USD',
    schema: money,
    default: 250_000,
  },
  rebalance_compliance_threshold: {
    label: 'Rebalancing compliance threshold',
    meaning: 'Rebalances that trade more than this amount in total also need a compliance officer’s approval.',
    unit: 'USD',
    schema: money,
    default: 100_000,
  },
  rebalance_cash_buffer: {
    label: 'Rebalancing cash buffer',
    meaning: 'Share of each portfolio kept in cash when a rebalance is proposed.',
    unit: 'fraction of portfolio value (0.02 = 2%)',
    schema: z.number().min(0).max(0.5),
    default: 0.02,
  },
  session_lifetime_hours: {
    label: 'Session lifetime',
    meaning: 'How long a sign-in lasts before the person must sign in again (applies to new sign-ins).',
    unit: 'hours',
    schema: z.number().min(0.25).max(720),
    default: 12,
  },
  second_factor_required: {
    label: 'Second factor required',
    meaning: 'Administrators and compliance officers signing in with a password must use an authenticator app.',
    unit: 'yes/no',
    schema: z.boolean(),
    default: false,
  },
  oidc_create_users: {
    label: 'Create users on first single sign-on',
    meaning:
      'A person the identity provider vouches for, with no hub account, gets one with the role its claims map to.',
    unit: 'yes/no',
    schema: z.boolean(),
    default: false,
  },
  firm_time_zone: {
    label: 'Firm time zone',
    meaning:
      'The firm’s home time zone, as a record (schedules follow each business calendar’s zone and REBALANCE_TIME_ZONE).',
    unit: 'IANA time zone',
    schema: z
      .string()
      .refine((zone) => IANAZone.isValidZone(zone), 'expected an IANA time zone such as America/New_York'),
    default: 'America/New_York',
  },
  kyc_review_years_high: {
    label: 'KYC review, high risk',
    meaning: 'Years until the KYC of an approved high-risk client must be reviewed again.',
    unit: 'years',
    schema: years,
    default: 1,
  },
  kyc_review_years_medium: {
    label: 'KYC review, medium risk',
    meaning: 'Years until the KYC of an approved medium-risk client must be reviewed again.',
    unit: 'years',
    schema: years,
    default: 2,
  },
  kyc_review_years_low: {
    label: 'KYC review, low risk',
    meaning: 'Years until the KYC of an approved low-risk client must be reviewed again.',
    unit: 'years',
    schema: years,
    default: 3,
  },
  kyc_review_notice_days: {
    label: 'KYC review notice',
    meaning: 'Days before a client’s KYC falls due that the daily schedule opens their periodic review onboarding.',
    unit: 'days',
    schema: z.number().int().min(1).max(365),
    default: 60,
  },
  onboarding_expiry_days: {
    label: 'Onboarding time limit',
    meaning: 'Days a client has to fill the profile and upload the documents before the onboarding expires.',
    unit: 'days',
    schema: z.number().int().min(1).max(365),
    default: 30,
  },
  screening_match_threshold: {
    label: 'Screening match threshold',
    meaning: 'How alike (0–100) a name must be to a sanctions or PEP list entry to need a compliance decision.',
    unit: 'similarity score',
    schema: z.number().int().min(50).max(100),
    default: 85,
  },
} as const satisfies Record<
  string,
  { label: string; meaning: string; unit: string; schema: z.ZodType; default: unknown }
>;

export type FirmSettingKey = keyof typeof FIRM_SETTINGS;
export const FIRM_SETTING_KEYS = Object.keys(FIRM_SETTINGS) as [FirmSettingKey, ...FirmSettingKey[]];

export function createAdminSettings(sql: Sql) {
  const subject = (key: string | null) => ({ type: 'settings' as const, id: key });

  async function describe() {
    const stored = new Map((await listSettings(sql)).map((s) => [s.key, s]));
    return FIRM_SETTING_KEYS.map((key) => {
      const { label, meaning, unit, default: fallback } = FIRM_SETTINGS[key];
      const row = stored.get(key);
      return {
        key,
        label,
        meaning,
        unit,
        value: row?.value ?? fallback,
        default: fallback,
        updated_by: row?.updated_by ?? null,
        updated_at: row?.updated_at ?? null,
      };
    });
  }

  return {
    async list(actor: Actor) {
      await requireAdmin(sql, actor, 'manage_settings', subject(null), { operation: 'list' });
      return describe();
    },

    /** Several settings at once: all are checked before any is written, and each change is audited with before and after. */
    async update(actor: Actor, changes: Partial<Record<FirmSettingKey, unknown>>) {
      await requireAdmin(sql, actor, 'manage_settings', subject(null), {
        operation: 'update',
        keys: Object.keys(changes),
      });
      return auditedWork(sql, actor, 'update_setting', subject(Object.keys(changes).join(',')), async () => {
        const checked: [FirmSettingKey, unknown][] = [];
        for (const [key, value] of Object.entries(changes) as [FirmSettingKey, unknown][]) {
          const parsed = FIRM_SETTINGS[key].schema.safeParse(value);
          if (!parsed.success) {
            throw new HubError('VALIDATION_FAILED', `${key}: ${parsed.error.issues[0]?.message ?? 'invalid'}`, {
              field: key,
            });
          }
          checked.push([key, parsed.data]);
        }
        await sql.begin(async (tx) => {
          for (const [key, value] of checked) {
            if (JSON.stringify(await getSetting(tx, key, FIRM_SETTINGS[key].default)) !== JSON.stringify(value)) {
              await putSetting(tx, key, value, actor);
            }
          }
        });
        return describe();
      });
    },
  };
}
