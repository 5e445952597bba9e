import type { App } from '@slack/bolt';
import { homeView, notLinkedHomeView } from '../blocks.js';
import { breachedSlas, pendingWork } from '../pending-work.js';
import type { WebClient } from '../web-client.js';
import { actorForSlackUser, type BotContext } from './bot-context.js';

/** The App Home tab: the person's pending approvals and the breached SLAs they can see, as of opening it. */
export async function publishHome(ctx: BotContext, client: WebClient, slackUserId: string): Promise<void> {
  const identity = await actorForSlackUser(ctx, client, slackUserId);
  const view =
    'refusal' in identity
      ? notLinkedHomeView(identity.refusal)
      : homeView(identity.actor.name, await pendingWork(ctx, identity.actor), await breachedSlas(ctx, identity.actor));
  await client.views.publish({ user_id: slackUserId, view });
}

export function registerHomeListener(app: App, ctx: BotContext): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    try {
      await publishHome(ctx, client, event.user);
    } catch (error) {
      ctx.deps.log.error({ err: error, slackUserId: event.user }, 'could not publish the App Home tab');
    }
  });
}
