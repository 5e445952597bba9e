import { raiseErrorRateAlertIfDue, recordCommandTiming } from '../db/success-metrics.js';
import { metrics } from '../runtime/metrics.js';
import type { HubDeps } from './context.js';
import { toHubError } from './errors.js';

const isFailure = (code: string) => code === 'INTERNAL_ERROR' || code === 'SERVICE_UNAVAILABLE';

/**
 * Runs a command and measures it: the Prometheus counters and latency histogram, the timing row the success
 * metrics read, and after a refusal the check whether the window's error rate now calls for its alert.
 * Measuring never changes the command's answer: a failure to record is logged.
 */
export async function measureCommand<T>(
  deps: HubDeps,
  labels: { process_type: string; command: string },
  work: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  let code: string | null = null;
  try {
    return await work();
  } catch (error) {
    code = toHubError(error).code;
    throw error;
  } finally {
    const outcome = code === null ? 'accepted' : isFailure(code) ? 'failed' : 'refused';
    const ms = performance.now() - started;
    metrics.commandFinished({ ...labels, outcome, code: code ?? undefined }, ms / 1000);
    await recordCommandTiming(deps.sql, { ...labels, outcome, error_code: code, duration_ms: ms })
      .then(() => (outcome === 'accepted' ? null : checkErrorRate(deps)))
      .catch((error: unknown) => deps.log.warn({ err: error, ...labels }, 'could not record the command timing'));
  }
}

async function checkErrorRate(deps: HubDeps): Promise<void> {
  const { config } = deps;
  const alert = await raiseErrorRateAlertIfDue(deps.sql, deps.boss, {
    windowMinutes: config.ERROR_RATE_WINDOW_MINUTES,
    minAttempts: config.ERROR_RATE_MIN_OPERATIONS,
    slack: Boolean(config.slackMode && config.SLACK_MANAGERS_CHANNEL),
  });
  if (alert) deps.log.warn(alert, 'error rate above 5 %: alert raised');
}
