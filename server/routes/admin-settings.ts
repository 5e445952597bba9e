import { z } from '@hono/zod-openapi';
import type { Sql } from '../../db/client.js';
import { createAdminSettings, FIRM_SETTING_KEYS, FIRM_SETTINGS } from '../../hub/admin-settings.js';
import { actorOf } from '../../hub/context.js';
import { createRouter, hubRoute, jsonBody, listResponse } from './openapi.js';

/** Every setting is a number, a yes/no or a text (a time zone): its key's own rule says which. */
const SettingValue = z.union([z.number(), z.boolean(), z.string()]);

const SettingSchema = z
  .object({
    key: z.enum(FIRM_SETTING_KEYS),
    label: z.string(),
    meaning: z.string(),
    unit: z.string(),
    value: SettingValue,
    default: SettingValue,
    updated_by: z.string().nullable(),
    updated_at: z.string().nullable(),
  })
  .openapi('FirmSetting');

// Each key's own rule, so the document shows them and a bad value is named by its key.
const SettingsPatch = z
  .object(
    Object.fromEntries(FIRM_SETTING_KEYS.map((key) => [key, FIRM_SETTINGS[key].schema.optional()])) as Record<
      string,
      z.ZodType
    >,
  )
  .strict()
  .refine((body) => Object.keys(body).length > 0, { message: 'give at least one setting' });

export function adminSettingsRoutes(sql: Sql) {
  const settings = createAdminSettings(sql);
  return createRouter()
    .openapi(
      hubRoute({
        method: 'get',
        path: '/admin/settings',
        tags: ['Administration'],
        summary: 'Firm settings with their meaning, unit and default',
        responses: {
          200: listResponse('settings', SettingSchema, 'Settings'),
        },
      }),
      async (c) => c.json({ settings: await settings.list(actorOf(c)) }, 200),
    )
    .openapi(
      hubRoute({
        method: 'patch',
        path: '/admin/settings',
        tags: ['Administration'],
        summary: 'Change settings: all checked before any is written; each change audited with before and after',
        request: { body: jsonBody(SettingsPatch) },
        responses: {
          200: listResponse('settings', SettingSchema, 'Settings now'),
        },
      }),
      async (c) => c.json({ settings: await settings.update(actorOf(c), c.req.valid('json')) }, 200),
    );
}
