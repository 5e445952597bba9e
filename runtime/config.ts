import os from 'node:os';
import path from 'node:path';
import { IANAZone } from 'luxon';
import { z } from 'zod';

/** Parsed once per entry point and passed down; nothing else reads process.env. */

const port = z.coerce.number().int().min(1).max(65535);
const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const optionalUrl = optionalText.pipe(z.url().optional());

const defaultCacheDir = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'ops-hub');

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  PUBLIC_URL: optionalUrl,
  HUB_DATA_DIR: z.string().min(1).default('data'),
  HUB_CACHE_DIR: z.string().min(1).default(defaultCacheDir),
  SEED_DEMO_DATA: flag.default(true),

  DATABASE_URL: optionalUrl,
  EMBEDDED_POSTGRES_PORT: port.default(5433),

  TEMPORAL_ADDRESS: optionalText,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('ops-hub'),
  TEMPORAL_TLS: flag.default(false),
  TEMPORAL_TLS_CERT_PATH: optionalText,
  TEMPORAL_TLS_KEY_PATH: optionalText,
  TEMPORAL_TLS_CA_PATH: optionalText,
  TEMPORAL_API_KEY: optionalText,
  TEMPORAL_CLI_PATH: optionalText,
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),

  CRM_ADAPTER: z.enum(['builtin', 'http']).default('builtin'),
  CRM_URL: optionalUrl,
  CRM_API_KEY: optionalText,
  CRM_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(6),
  CRM_RETRY_INITIAL_MS: z.coerce.number().int().min(10).max(600_000).default(1000),

  /** When the drift check runs: a cron expression (five fields, or @daily and the like) in REBALANCE_TIME_ZONE. */
  REBALANCE_SCHEDULE_CRON: z
    .string()
    .trim()
    .regex(/^(@\w+|\S+(\s+\S+){4,6})$/, 'expected a cron expression such as "0 6 * * 1-5"')
    .default('0 6 * * 1-5'),
  /** The firm's time zone for the schedule, trade dates and holding periods. */
  REBALANCE_TIME_ZONE: z
    .string()
    .trim()
    .refine((zone) => IANAZone.isValidZone(zone), 'expected an IANA time zone such as America/New_York')
    .default('America/New_York'),
  REBALANCE_SCHEDULE_PAUSED: flag.default(false),
  REBALANCE_ORDER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  REBALANCE_ORDER_RETRY_INITIAL_MS: z.coerce.number().int().min(10).max(600_000).default(1000),

  SLACK_BOT_TOKEN: optionalText,
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText,
  SLACK_MODE: z.enum(['http', 'socket']).optional(),
  SLACK_API_URL: optionalUrl,
  SLACK_COMPLIANCE_CHANNEL: optionalText,
  SLACK_MANAGERS_CHANNEL: optionalText,
});

export type HubConfig = z.infer<typeof configSchema> & { publicUrl: string };

export class ConfigError extends Error {}

/** Validates the environment; a bad value becomes one line naming the variable and what is wrong. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): HubConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      const value = env[name];
      return `${name}${value === undefined ? '' : `=${JSON.stringify(value)}`}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
  }
  const config = parsed.data;
  if (config.CRM_ADAPTER === 'http' && !config.CRM_URL) {
    throw new ConfigError('invalid configuration: CRM_URL is required when CRM_ADAPTER=http');
  }
  if ((config.TEMPORAL_TLS_CERT_PATH === undefined) !== (config.TEMPORAL_TLS_KEY_PATH === undefined)) {
    throw new ConfigError('invalid configuration: TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together');
  }
  const publicHost = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  return { ...config, publicUrl: config.PUBLIC_URL ?? `http://${publicHost}:${config.PORT}` };
}
