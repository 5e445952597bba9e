import { DefaultLogger, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../runtime/logger.js';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Sends the Temporal SDK's logs through the hub's pino logger, at warn and above unless asked for more. */
export function pinoTemporalLogger(log: Logger): DefaultLogger {
  const level: LogLevel = log.level === 'debug' || log.level === 'trace' ? 'DEBUG' : 'WARN';
  return new DefaultLogger(level, (entry) => log[LEVELS[entry.level]](entry.meta ?? {}, entry.message));
}
