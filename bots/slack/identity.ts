import type { Sql } from '../../db/client.js';
import { findLinkedUser, findSlackUserId, rememberEmailLink } from '../../db/slack.js';
import { findUserByEmail, getUser, type HubUser } from '../../db/users.js';
import { platformErrorOf, type WebClient } from './web-client.js';

/**
 * Who a Slack user is in the hub, and the other way round: an administrator's link first, else the same
 * e-mail address on both sides (remembered once found). Nobody is guessed: no link, no identity.
 */

export type SlackIdentity = { user: HubUser } | { refusal: string };

const askAdmin = (slackUserId: string) =>
  `Ask a hub administrator to link your Slack account (user id ${slackUserId}) to your hub user.`;

export async function hubUserForSlackUser(sql: Sql, client: WebClient, slackUserId: string): Promise<SlackIdentity> {
  const linked = await findLinkedUser(sql, slackUserId);
  if (linked.user) return { user: linked.user };
  if (linked.linked)
    return { refusal: 'Your Slack account is linked to a hub user who is no longer active, so you cannot act here.' };

  let email: string | undefined;
  try {
    const info = await client.users.info({ user: slackUserId });
    if (info.user?.is_bot) return { refusal: 'Bots cannot act in the hub.' };
    email = info.user?.profile?.email;
  } catch (error) {
    if (platformErrorOf(error) === 'user_not_found') return { refusal: `Slack does not know the user ${slackUserId}.` };
    throw error;
  }
  if (!email)
    return {
      refusal: `Your Slack account is not linked to a hub user, and Slack shares no e-mail address for it. ${askAdmin(slackUserId)}`,
    };
  const user = await findUserByEmail(sql, email);
  if (!user)
    return {
      refusal: `Your Slack account is not linked to a hub user: no active hub user has the e-mail address ${email}. ${askAdmin(slackUserId)}`,
    };
  const otherSlackUser = await findSlackUserId(sql, user.id);
  if (otherSlackUser && otherSlackUser !== slackUserId) {
    return {
      refusal: `The hub user with the e-mail address ${email} is linked to another Slack account. ${askAdmin(slackUserId)}`,
    };
  }
  await rememberEmailLink(sql, slackUserId, user.id);
  const { password_hash: _hash, totp_enabled: _totp, ...hubUser } = user;
  return { user: hubUser };
}

/** The Slack user to reach a hub user by; undefined when they have none (not in the workspace). */
export async function slackUserForHubUser(sql: Sql, client: WebClient, userId: string): Promise<string | undefined> {
  const known = await findSlackUserId(sql, userId);
  if (known) return known;
  const user = await getUser(sql, userId);
  if (!user) return undefined;
  try {
    const found = await client.users.lookupByEmail({ email: user.email });
    const slackUserId = found.user?.id;
    if (!slackUserId) return undefined;
    await rememberEmailLink(sql, slackUserId, user.id);
    return (await findSlackUserId(sql, user.id)) ?? undefined;
  } catch (error) {
    if (platformErrorOf(error) === 'users_not_found') return undefined;
    throw error;
  }
}

/** The direct message channel with a hub user; undefined when they have no Slack account, or Slack will not open one. */
export async function directMessageChannel(sql: Sql, client: WebClient, userId: string): Promise<string | undefined> {
  const slackUserId = await slackUserForHubUser(sql, client, userId);
  if (!slackUserId) return undefined;
  try {
    const opened = await client.conversations.open({ users: slackUserId });
    if (!opened.channel?.id) throw new Error(`Slack opened no direct message channel with ${slackUserId}`);
    return opened.channel.id;
  } catch (error) {
    // A deactivated or deleted account: nobody to write to, nothing to retry.
    if (['user_not_found', 'user_disabled', 'cannot_dm_bot'].includes(platformErrorOf(error) ?? '')) return undefined;
    throw error;
  }
}
