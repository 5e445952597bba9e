import { pino, type Logger } from 'pino';
import type { HubConfig } from './config.js';

export type { Logger };

/** Structured JSON logs on stdout; one logger per process, children per component. */
export function createLogger(config: Pick<HubConfig, 'LOG_LEVEL'>, name = 'hub'): Logger {
  return pino({ name, level: config.LOG_LEVEL });
}
