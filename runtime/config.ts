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

const cron = z
  .string()
  .trim()
  .regex(/^(@\w+|\S+(\s+\S+){4,6})$/, 'expected a cron expression such as "0 6 * * 1-5"');

const slackChannelId = z
  .string()
  .regex(/^[CG][A-Z0-9]{2,}$/, 'a Slack channel id such as C0123ABCD (in Slack: channel details, at the bottom)')
  .optional();

// The hub's roles, as OIDC_ROLE_MAP may name them.
const roleNames = 'client|advisor|compliance_officer|manager|ops|admin';
const ROLE_MAP_PATTERN = new RegExp(`^\\s*[^=,]+=(${roleNames})\\s*(,\\s*[^=,]+=(${roleNames})\\s*)*$`);

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
  /** Origins (comma-separated) whose pages may call the API from a browser; none by default. */
  CORS_ORIGINS: optionalText.transform((v) =>
    v
      ? v
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean)
      : [],
  ),

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

  /** How long a command waits for its workflow to confirm it before the API answers 503 (no worker running, say). */
  COMMAND_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /**
   * On SIGTERM a node finishes its requests, socket acknowledgements, activities and jobs for at most this long,
   * then closes what is left and exits. Keep it under the orchestrator's own limit (Kubernetes: 30 s).
   */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(25_000),

  /**
   * Where traces go (OpenTelemetry, OTLP over HTTP with protobuf, `/v1/traces` appended): a collector such as
   * http://otel-collector:4318. Unset, no tracing code is loaded at all.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,

  /** The bearer token a Prometheus scrape of /metrics must send; without it /metrics answers 404. */
  METRICS_TOKEN: optionalText.pipe(
    z.string().min(16, 'at least 16 characters, e.g. `openssl rand -hex 24`').optional(),
  ),
  /** Where a worker serves /metrics (a server serves it on PORT). */
  METRICS_PORT: port.default(9464),
  /** The error-rate alert: fixed windows of this many minutes, and the operations a window needs first. */
  ERROR_RATE_WINDOW_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  ERROR_RATE_MIN_OPERATIONS: z.coerce.number().int().min(1).max(100_000).default(20),

  CRM_ADAPTER: z.enum(['builtin', 'http']).default('builtin'),
  CRM_URL: optionalUrl,
  CRM_API_KEY: optionalText,
  CRM_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(6),
  CRM_RETRY_INITIAL_MS: z.coerce.number().int().min(10).max(600_000).default(1000),

  /** A board that missed more changes than this gets a fresh snapshot instead of a replay. */
  REALTIME_REPLAY_LIMIT: z.coerce.number().int().min(1).max(100_000).default(500),
  /** Finished processes stay on the board this many days after their last change. */
  BOARD_TERMINAL_DAYS: z.coerce.number().int().min(0).max(3650).default(7),

  /** When the drift check runs: a cron expression (five fields, or @daily and the like) in REBALANCE_TIME_ZONE. */
  REBALANCE_SCHEDULE_CRON: cron.default('0 6 * * 1-5'),
  /** The firm's time zone for the schedule, trade dates and holding periods. */
  REBALANCE_TIME_ZONE: z
    .string()
    .trim()
    .refine((zone) => IANAZone.isValidZone(zone), 'expected an IANA time zone such as America/New_York')
    .default('America/New_York'),
  REBALANCE_SCHEDULE_PAUSED: flag.default(false),
  /** When clients whose KYC nears its periodic review get a review onboarding: a cron in REBALANCE_TIME_ZONE. */
  KYC_REVIEW_SCHEDULE_CRON: cron.default('0 5 * * 1-5'),
  KYC_REVIEW_SCHEDULE_PAUSED: flag.default(false),
  REBALANCE_ORDER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  REBALANCE_ORDER_RETRY_INITIAL_MS: z.coerce.number().int().min(10).max(600_000).default(1000),

  /** Single sign-on with OpenID Connect: the provider's issuer URL and this hub's client registration there. */
  OIDC_ISSUER: optionalUrl,
  OIDC_CLIENT_ID: optionalText,
  OIDC_CLIENT_SECRET: optionalText,
  /** The ID-token or userinfo claim that lists the person's groups or roles. */
  OIDC_ROLE_CLAIM: z.string().trim().min(1).default('groups'),
  /** Which claim value means which hub role: "hub-admins=admin,hub-advisors=advisor" (first match wins). */
  OIDC_ROLE_MAP: optionalText.pipe(
    z
      .string()
      .regex(ROLE_MAP_PATTERN, 'expected value=role pairs such as "hub-admins=admin,hub-advisors=advisor"')
      .optional(),
  ),
  OIDC_SCOPES: z.string().trim().min(1).default('openid email profile'),
  /** The button's words on the sign-in page. */
  OIDC_DISPLAY_NAME: z.string().trim().min(1).max(60).default('your organisation'),
  /** Document bytes: a folder under HUB_DATA_DIR unless an S3-compatible bucket is named. */
  DOCUMENTS_S3_BUCKET: optionalText,
  DOCUMENTS_S3_ENDPOINT: optionalUrl,
  DOCUMENTS_S3_REGION: z.string().trim().min(1).default('us-east-1'),
  DOCUMENTS_S3_PREFIX: optionalText,
  DOCUMENTS_S3_ACCESS_KEY_ID: optionalText,
  DOCUMENTS_S3_SECRET_ACCESS_KEY: optionalText,
  /** Path-style addressing (bucket in the path, not the host name): what most S3-compatible servers need. */
  DOCUMENTS_S3_FORCE_PATH_STYLE: flag.optional(),
  /**
   * Signs the audit trail's checkpoints (HMAC-SHA256). Keep it outside the database: whoever can rewrite the
   * trail must not be able to sign a checkpoint that agrees. Required in production.
   */
  AUDIT_CHECKPOINT_KEY: optionalText.pipe(
    z.string().min(32, 'at least 32 characters, e.g. `openssl rand -hex 32`').optional(),
  ),
  /** When the chain head is checkpointed and retention runs: cron expressions in UTC. */
  AUDIT_CHECKPOINT_CRON: cron.default('5 0 * * *'),
  AUDIT_RETENTION_CRON: cron.default('30 1 * * *'),

  /** E-mail: the SMTP server (smtp://user:pass@host:587, smtps://… for TLS from the start); without it e-mail is off. */
  SMTP_URL: optionalText.pipe(
    z
      .url()
      .refine((u) => /^smtps?:\/\//.test(u), 'expected smtp://… or smtps://…')
      .optional(),
  ),
  /** The sender of every e-mail, e.g. "Ops hub <ops@firm.example>"; required with SMTP_URL. */
  SMTP_FROM: optionalText,
  SMTP_REPLY_TO: optionalText,
  SLACK_BOT_TOKEN: optionalText.pipe(z.string().startsWith('xoxb-', 'a bot token starts with xoxb-').optional()),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText.pipe(z.string().startsWith('xapp-', 'an app-level token starts with xapp-').optional()),
  SLACK_MODE: optionalText.pipe(z.enum(['http', 'socket']).optional()),
  SLACK_API_URL: optionalUrl,
  // Channel ids (C… or G…), not names: the bot reads its own messages back by id.
  SLACK_COMPLIANCE_CHANNEL: optionalText.pipe(slackChannelId),
  SLACK_MANAGERS_CHANNEL: optionalText.pipe(slackChannelId),
});

export type SlackMode = 'http' | 'socket';

export type HubConfig = Omit<z.infer<typeof configSchema>, 'DOCUMENTS_S3_FORCE_PATH_STYLE'> & {
  publicUrl: string;
  /** Where the folder backend keeps document bytes: `documents` under HUB_DATA_DIR. */
  DOCUMENTS_DIR: string;
  DOCUMENTS_S3_FORCE_PATH_STYLE: boolean;
  /** AUDIT_CHECKPOINT_KEY, or outside production a fixed development key (checkpoints then prove nothing). */
  auditCheckpointKey: string;
  /** How the Slack bot receives requests; null when Slack is not configured (the hub runs without it). */
  slackMode: SlackMode | null;
};

const DEVELOPMENT_AUDIT_KEY = 'ops-hub-development-audit-checkpoint-key-not-secret';

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
  const oidcSet = [config.OIDC_ISSUER, config.OIDC_CLIENT_ID, config.OIDC_CLIENT_SECRET].filter(Boolean).length;
  if (oidcSet !== 0 && oidcSet !== 3) {
    throw new ConfigError('invalid configuration: OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET go together');
  }
  if ((config.DOCUMENTS_S3_ACCESS_KEY_ID === undefined) !== (config.DOCUMENTS_S3_SECRET_ACCESS_KEY === undefined)) {
    throw new ConfigError(
      'invalid configuration: DOCUMENTS_S3_ACCESS_KEY_ID and DOCUMENTS_S3_SECRET_ACCESS_KEY go together',
    );
  }
  if (!config.DOCUMENTS_S3_BUCKET && (config.DOCUMENTS_S3_ENDPOINT || config.DOCUMENTS_S3_ACCESS_KEY_ID)) {
    throw new ConfigError(
      'invalid configuration: DOCUMENTS_S3_BUCKET is required when other DOCUMENTS_S3_ variables are set',
    );
  }
  if (config.SMTP_URL && !config.SMTP_FROM) {
    throw new ConfigError('invalid configuration: SMTP_FROM is required when SMTP_URL is set');
  }
  if (config.NODE_ENV === 'production' && !config.AUDIT_CHECKPOINT_KEY) {
    throw new ConfigError(
      'invalid configuration: AUDIT_CHECKPOINT_KEY is required in production (e.g. `openssl rand -hex 32`)',
    );
  }
  const publicHost = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  return {
    ...config,
    publicUrl: config.PUBLIC_URL ?? `http://${publicHost}:${config.PORT}`,
    slackMode: slackModeOf(config),
    DOCUMENTS_DIR: path.resolve(config.HUB_DATA_DIR, 'documents'),
    DOCUMENTS_S3_FORCE_PATH_STYLE: config.DOCUMENTS_S3_FORCE_PATH_STYLE ?? config.DOCUMENTS_S3_ENDPOINT !== undefined,
    auditCheckpointKey: config.AUDIT_CHECKPOINT_KEY ?? DEVELOPMENT_AUDIT_KEY,
  };
}

/**
 * Slack is off without credentials. With a bot token, the mode is SLACK_MODE, or else implied by the
 * credential given: an app-level token means Socket Mode, a signing secret means HTTP.
 */
function slackModeOf(config: z.infer<typeof configSchema>): SlackMode | null {
  const {
    SLACK_BOT_TOKEN: botToken,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_APP_TOKEN: appToken,
    SLACK_MODE: mode,
  } = config;
  if (!botToken) {
    if (signingSecret || appToken || mode) {
      throw new ConfigError(
        'invalid configuration: SLACK_BOT_TOKEN (xoxb-…) is required when SLACK_SIGNING_SECRET, SLACK_APP_TOKEN or SLACK_MODE is set',
      );
    }
    return null;
  }
  const chosen = mode ?? (appToken ? 'socket' : signingSecret ? 'http' : undefined);
  if (!chosen) {
    throw new ConfigError(
      'invalid configuration: SLACK_BOT_TOKEN needs SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)',
    );
  }
  if (chosen === 'http' && !signingSecret)
    throw new ConfigError('invalid configuration: SLACK_SIGNING_SECRET is required when SLACK_MODE=http');
  if (chosen === 'socket' && !appToken)
    throw new ConfigError('invalid configuration: SLACK_APP_TOKEN (xapp-…) is required when SLACK_MODE=socket');
  return chosen;
}

/** For entry points: the configuration, or one line naming what is wrong and exit code 1. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): HubConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
