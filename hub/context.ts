import type { Client } from '@temporalio/client';
import type { Context } from 'hono';
import type PgBoss from 'pg-boss';
import type { Sql } from '../db/client.js';
import type { HubUser } from '../db/users.js';
import type { HubConfig } from '../runtime/config.js';
import type { Logger } from '../runtime/logger.js';
import type { Actor, Channel } from '../workflows/process-records.js';

/** What request handlers, the gateway and the bot share. Built once per server process. */
export interface HubDeps {
  config: HubConfig;
  sql: Sql;
  temporal: Client;
  boss: PgBoss;
  log: Logger;
  taskQueue: string;
}

/** The command a request is about, so a refusal can be audited wherever it happens. */
export interface CommandContext {
  process_type: string | null;
  process_id: string | null;
  action: string;
  /** For a step on a query thread: the query, whose process the refusal is filed under. */
  query_id?: string;
}

export type HubEnv = {
  Variables: {
    user: HubUser;
    channel: Channel;
    command: CommandContext | undefined;
  };
};

export function actorFor(user: HubUser, channel: Channel, slackUserId?: string): Actor {
  return {
    user_id: user.id,
    role: user.role,
    name: user.name,
    channel,
    ...(slackUserId ? { slack_user_id: slackUserId } : {}),
    ...(user.scope ? { scope: user.scope } : {}),
  };
}

/** The actor of an HTTP request: its signed-in person, on the channel the request came through. */
export const actorOf = (c: Context<HubEnv>): Actor => actorFor(c.get('user'), c.get('channel'));
