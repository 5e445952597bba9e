import type { HubConfig } from './config.js';

/**
 * Where a server or worker started on its own finds PostgreSQL and Temporal: the configured addresses,
 * or those `npm start` uses on this machine.
 */
export function databaseUrlOf(config: HubConfig): string {
  return config.DATABASE_URL ?? `postgres://postgres:postgres@127.0.0.1:${config.EMBEDDED_POSTGRES_PORT}/hub`;
}

export function temporalAddressOf(config: HubConfig): string {
  return config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_DEV_PORT}`;
}

/** The board's page of one process, for links in Slack messages and e-mail. */
export function boardUrlFor(publicUrl: string, processId: string): string {
  return `${publicUrl.replace(/\/$/, '')}/#/process/${encodeURIComponent(processId)}`;
}
