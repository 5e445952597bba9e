import type { Sql } from '../../db/client.js';
import type { HubConfig } from '../../runtime/config.js';
import type { Logger } from '../../runtime/logger.js';
import type { WebClient } from './web-client.js';

/** What the Slack job handlers share in a worker. */
export interface SlackJobContext {
  config: HubConfig;
  sql: Sql;
  client: WebClient;
  log: Logger;
}
