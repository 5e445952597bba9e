import { pino, type DestinationStream, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import type { HubConfig } from './config.js';

export type { Logger };

/** Where log lines go: stdout unless a test gives another stream; `isTTY` says whether a person reads it. */
export type LogOutput = { write(text: string): unknown; isTTY?: boolean };

/**
 * JSON lines for machines (a pipe, a file, a log collector); pino-pretty's lines when a person watches a
 * terminal. The pretty printer runs in this thread and writes synchronously, so its lines keep their order
 * with whatever else the process prints (the ready banner stays last).
 */
export function logStream(output: LogOutput = process.stdout): DestinationStream {
  if (!output.isTTY) return output as DestinationStream;
  const prettify = prettyFactory({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' });
  return { write: (line: string) => void output.write(prettify(line)) };
}

/** One logger per process, children per component. */
export function createLogger(config: Pick<HubConfig, 'LOG_LEVEL'>, name = 'hub', output?: LogOutput): Logger {
  return pino({ name, level: config.LOG_LEVEL }, logStream(output));
}
