import { loadConfigOrExit, type HubConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { PortInUseError } from './ports.js';

/**
 * Runs one process of the hub (`npm run server`, `npm run worker`): parses the configuration, starts,
 * and stops cleanly on SIGINT or SIGTERM. Known start-up problems print one line.
 */
export async function runEntryPoint(
  name: string,
  start: (config: HubConfig, log: Logger) => Promise<{ stop(): Promise<void>; done?: Promise<void> }>,
) {
  const config = loadConfigOrExit();
  const log = createLogger(config, name);
  try {
    const running = await start(config, log);
    let stopping = false;
    const stop = async (code: number) => {
      if (stopping) return;
      stopping = true;
      await running.stop().catch((error) => log.warn({ err: error }, 'did not stop cleanly'));
      process.exit(code);
    };
    process.once('SIGINT', () => void stop(0));
    process.once('SIGTERM', () => void stop(0));
    running.done?.catch((error) => {
      log.fatal({ err: error }, `${name} stopped`);
      void stop(1);
    });
  } catch (error) {
    if (error instanceof PortInUseError) console.error(error.message);
    else log.fatal({ err: error }, `${name} could not start`);
    process.exit(1);
  }
}
