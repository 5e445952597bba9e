import { App } from '@slack/bolt';
import type { Hono } from 'hono';
import type { SlackMode } from '../../runtime/config.js';
import type { HubDeps, HubEnv } from '../../hub/context.js';
import type { AccountOpeningService } from '../../hub/account-opening.js';
import type { RebalancingService } from '../../hub/rebalancing.js';
import type { OnboardingService } from '../../hub/client-onboarding.js';
import { registerActionListeners } from './listeners/actions.js';
import type { BotContext } from './bot-context.js';
import { registerCommandListeners } from './listeners/commands.js';
import { registerHomeListener } from './listeners/home.js';
import { HonoSlackReceiver } from './receiver.js';
import { slackLogger, webClientOptions } from './web-client.js';

/** The server's half of the bot: it receives what people do in Slack. The worker's half posts (jobs.ts). */
export interface SlackBot {
  mode: SlackMode;
  /** HTTP mode: the endpoints Slack calls, mounted on the hub's own server. */
  routes?: Hono<HubEnv>;
  stop(): Promise<void>;
}

/**
 * Starts the bot in the configured mode, or says once why it does not run: the hub works without Slack.
 * A token Slack refuses, or a Socket Mode connection that cannot be opened, leaves the hub running without it.
 */
export async function startSlackBot(
  deps: HubDeps,
  services: { accountOpening: AccountOpeningService; rebalancing: RebalancingService; onboarding: OnboardingService },
): Promise<SlackBot | null> {
  const { config } = deps;
  const log = deps.log.child({ component: 'slack' });
  const mode = config.slackMode;
  if (!mode) {
    log.info(
      'Slack bot disabled: set SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode) to enable it',
    );
    return null;
  }

  const receiver =
    mode === 'http' ? new HonoSlackReceiver({ signingSecret: config.SLACK_SIGNING_SECRET!, log }) : undefined;
  const clientOptions = webClientOptions(config, log);
  const app = new App({
    token: config.SLACK_BOT_TOKEN,
    ...(receiver
      ? { receiver }
      : {
          socketMode: true,
          appToken: config.SLACK_APP_TOKEN,
          // The socket's own client keeps its library's patient retries for reconnecting, not the bot's post-once policy.
          installerOptions: {
            clientOptions: clientOptions.slackApiUrl ? { slackApiUrl: clientOptions.slackApiUrl } : {},
          },
        }),
    logger: slackLogger(log),
    clientOptions,
    // auth.test runs in init() below, where a refused token can be reported instead of thrown from a constructor.
    deferInitialization: true,
    convoStore: false,
  });
  app.error(async (error) => {
    log.error({ err: error }, 'a Slack listener failed');
  });
  const ctx: BotContext = {
    deps: { ...deps, log },
    accountOpening: services.accountOpening,
    rebalancing: services.rebalancing,
    onboarding: services.onboarding,
  };
  registerActionListeners(app, ctx);
  registerCommandListeners(app, ctx);
  registerHomeListener(app, ctx);

  try {
    await app.init();
    if (mode === 'socket') await app.start();
  } catch (error) {
    log.error(
      { err: error },
      `Slack bot disabled: ${mode === 'socket' ? 'Socket Mode could not connect' : 'Slack refused the bot token'} (${(error as Error).message})`,
    );
    await app.stop().catch(() => {});
    return null;
  }
  log.info({ mode }, 'Slack bot running');
  return {
    mode,
    routes: receiver?.routes(),
    async stop() {
      await app.stop();
    },
  };
}
