import { LogLevel, webApi, type Logger as SlackLogger } from '@slack/bolt';
import type { HubConfig } from '../../runtime/config.js';
import type { Logger } from '../../runtime/logger.js';

export type WebClient = webApi.WebClient;
export type WebClientOptions = webApi.WebClientOptions;

/** Slack's libraries log through the hub's pino logger; pino's level decides what is written. */
export function slackLogger(log: Logger): SlackLogger {
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...parts: unknown[]) => {
      const error = parts.find((p): p is Error => p instanceof Error);
      const text = parts
        .filter((p) => !(p instanceof Error))
        .map((p) => (typeof p === 'string' ? p : JSON.stringify(p)))
        .join(' ');
      if (error) log[level]({ err: error }, text);
      else log[level](text);
    };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    setLevel: () => {},
    getLevel: () =>
      log.isLevelEnabled('debug')
        ? LogLevel.DEBUG
        : log.isLevelEnabled('info')
          ? LogLevel.INFO
          : log.isLevelEnabled('warn')
            ? LogLevel.WARN
            : LogLevel.ERROR,
    setName: () => {},
  };
}

/**
 * The seconds a failed call was told to wait by a 429, if that is why it failed. The client waits the
 * Retry-After itself, then reports the call as a request error wrapping its own "rate limit was exceeded".
 */
export function rateLimitWaitOf(error: unknown): number | undefined {
  if ((error as { code?: unknown })?.code !== webApi.ErrorCode.RequestError) return undefined;
  const message = (error as webApi.WebAPIRequestError).original?.message ?? '';
  const seconds = message.match(/^A rate limit was exceeded \(url: .*, retry-after: (\d+)\)$/)?.[1];
  return seconds === undefined ? undefined : Number(seconds);
}

/**
 * How long after its first try a rate-limited call is still worth trying: a modal needs the trigger id,
 * which Slack keeps for three seconds; anything else, within the half minute a person would wait.
 */
const RATE_LIMIT_BUDGET_MS = { view: 3_000, other: 30_000 } as const;

/**
 * The Web API client options for the bot and the workers. A rate-limited call (429) waits the
 * Retry-After Slack names and is tried again while Slack's deadline for it allows; anything else fails at
 * once and becomes a pg-boss retry, which first checks whether the message got through, so a lost
 * response never posts a message twice.
 */
export function webClientOptions(config: Pick<HubConfig, 'SLACK_API_URL'>, log: Logger): WebClientOptions {
  // The client hands retryConfig to p-retry, whose onFailedAttempt may stop the retries by throwing.
  const retryConfig: NonNullable<WebClientOptions['retryConfig']> & { onFailedAttempt: (error: Error) => void } = {
    retries: 5,
    minTimeout: 100,
    maxTimeout: 1_000,
    onFailedAttempt: (error) => {
      const wait = rateLimitWaitOf(error);
      if (wait === undefined) {
        // Every other failure is coded (HTTP, platform, request): the caller decides.
        if ((error as { code?: unknown }).code !== undefined) throw error;
        return;
      }
      const url = (error as webApi.WebAPIRequestError).original.message;
      const budget = /\/views\.(open|push)\b/.test(url) ? RATE_LIMIT_BUDGET_MS.view : RATE_LIMIT_BUDGET_MS.other;
      if (wait * 1000 >= budget) throw error;
      log.info({ retry_after_s: wait }, 'Slack rate-limited a call; trying it again');
    },
  };
  return {
    ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
    logger: slackLogger(log),
    timeout: 15_000,
    rejectRateLimitedCalls: false,
    retryConfig,
  };
}

export function createWebClient(config: Pick<HubConfig, 'SLACK_API_URL' | 'SLACK_BOT_TOKEN'>, log: Logger): WebClient {
  return new webApi.WebClient(config.SLACK_BOT_TOKEN, webClientOptions(config, log));
}

/** The Slack error code of a failed Web API call (`channel_not_found`, `users_not_found`…), if it was one. */
export function platformErrorOf(error: unknown): string | undefined {
  if ((error as { code?: unknown })?.code !== webApi.ErrorCode.PlatformError) return undefined;
  return (error as webApi.WebAPIPlatformError).data?.error;
}
