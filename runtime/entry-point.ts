import { loadConfigOrExit, type HubConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { PortInUseError } from './ports.js';
import { startTelemetry } from './telemetry.js';

/**
 * Runs one process of the hub (`npm run server`, `npm run worker`): parses the configuration, starts tracing
 * when configured, starts, and on SIGINT or SIGTERM drains within SHUTDOWN_GRACE_MS and exits 0. Known start-up
 * problems print one line. `start` imports the process's modules itself, after tracing has started, so that
 * the instrumented libraries load instrumented.
 */
export async function runEntryPoint(
  name: string,
  start: (config: HubConfig, log: Logger) => Promise<{ stop(): Promise<void>; done?: Promise<void> }>,
) {
  const config = loadConfigOrExit();
  const log = createLogger(config, name);
  try {
    const telemetry = await startTelemetry(config, `ops-hub-${name}`);
    const running = await start(config, log);
    let stopping = false;
    const stop = async (code: number) => {
      if (stopping) return;
      stopping = true;
      log.info({ grace_ms: config.SHUTDOWN_GRACE_MS }, `${name} stopping`);
      // Each part closes what is left at the deadline; this only catches a part that hangs regardless.
      setTimeout(() => {
        log.error(`${name} did not stop within SHUTDOWN_GRACE_MS`);
        process.exit(1);
      }, config.SHUTDOWN_GRACE_MS + 10_000).unref();
      await running.stop().catch((error) => log.warn({ err: error }, 'did not stop cleanly'));
      await telemetry?.shutdown().catch((error) => log.warn({ err: error }, 'traces not all exported'));
      log.info(`${name} stopped`);
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
