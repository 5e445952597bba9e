import { LogLevel, webApi, type Logger as SlackLogger } from '@slack/bolt';
import type { HubConfig } from '../../runtime/config.js';
import type { Logger } from '../../runtime/logger.js';

export type WebClient = webApi.WebClient;
export type WebClientOptions = webApi.WebClientOptions;

/** Slack's libraries log through the hub's pino logger; pino's level decides what is written. */
export function slackLogger(log: Logger): SlackLogger {
  const write = (level: 'debug' | 'info' | 'warn' | 'error') => (...parts: unknown[]) => {
    const error = parts.find((p): p is Error => p instanceof Error);
    const text = parts.filter((p) => !(p instanceof Error)).map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
    if (error) log[level]({ err: error }, text);
    else log[level](text);
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    setLevel: () => {},
    getLevel: () => (log.isLevelEnabled('debug') ? LogLevel.DEBUG : log.isLevelEnabled('info') ? LogLevel.INFO : log.isLevelEnabled('warn') ? LogLevel.WARN : LogLevel.ERROR),
    setName: () => {},
  };
}

/**
 * The Web API client options for the bot and the workers. A rate-limited call (429) waits the
 * Retry-After Slack names and is tried again; anything else fails at once and becomes a pg-boss retry,
 * which first checks whether the message got through, so a lost response never posts a message twice.
 */
export function webClientOptions(config: Pick<HubConfig, 'SLACK_API_URL'>, log: Logger): WebClientOptions {
  // The client hands retryConfig to p-retry, whose onFailedAttempt may stop the retries by throwing.
  const retryConfig: NonNullable<WebClientOptions['retryConfig']> & { onFailedAttempt: (error: Error) => void } = {
    retries: 5,
    minTimeout: 200,
    maxTimeout: 5_000,
    onFailedAttempt: (error) => {
      // The client's own "rate limit exceeded, retry" error carries no code; every other failure is coded (HTTP, request).
      if ((error as { code?: unknown }).code !== undefined) throw error;
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
