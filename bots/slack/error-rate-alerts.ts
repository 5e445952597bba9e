import type { ErrorRateAlert } from '../../db/success-metrics.js';
import { esc, section, type SlackMessage } from './blocks.js';
import { deliverOnce, withKeyLock } from './delivery.js';
import type { SlackJobContext } from './job-context.js';

/** A window's error rate past 5 %, posted once to the managers' channel (the key is the window). */
export async function postErrorRateAlert(ctx: SlackJobContext, alert: ErrorRateAlert): Promise<void> {
  const channel = ctx.config.SLACK_MANAGERS_CHANNEL;
  if (!channel) {
    ctx.log.warn(
      { window: alert.window_start },
      'SLACK_MANAGERS_CHANNEL is not set; the error-rate alert stays in the hub',
    );
    return;
  }
  const key = `error-rate:${alert.window_start}`;
  await withKeyLock(ctx.sql, `slack-delivery:${key}`, (db) =>
    deliverOnce(db, ctx.client, { key, channel, message: errorRateMessage(alert) }),
  );
}

export function errorRateMessage(alert: ErrorRateAlert): SlackMessage {
  const percent = ((alert.refused / alert.attempts) * 100).toFixed(1);
  const summary = `Error rate ${percent} % is above 5 %: ${alert.refused} of ${alert.attempts} operations refused`;
  return {
    text: esc(summary),
    blocks: [
      section(
        `:rotating_light: *${esc(summary)}*\nIn the ${alert.window_minutes}-minute window from ${alert.window_start}.`,
      ),
    ],
  };
}
