import { z } from '@hono/zod-openapi';
import { QUERY_AUDIENCES, QUERY_CHANGES, QUERY_KINDS, QUERY_STATUSES } from '../workflows/query-threads.js';
import { orNull } from './records.js';

/**
 * Query threads as the API answers them and the gateway pushes them (to `process:<process_id>` and to the
 * assignee's `user:<user_id>`): one schema each, the types inferred from them.
 */

export const PersonRefSchema = z.object({ id: z.string(), name: z.string(), role: z.string() }).openapi('PersonRef');
export type PersonRef = z.infer<typeof PersonRefSchema>;

/** A mentioned hub user; `handle` is the local part of their e-mail, as written after the @. */
export const MentionRefSchema = z.object({
  ...PersonRefSchema.shape,
  handle: z.string().openapi({ description: 'What follows the @ in a mention' }),
});
export type MentionRef = z.infer<typeof MentionRefSchema>;

export const QueryEntrySchema = z
  .object({
    sequence: z.number().openapi({ description: '1, 2, 3… within the query, in the order the entries were written' }),
    kind: z.enum(QUERY_CHANGES),
    author: PersonRefSchema,
    body: z.string().nullable(),
    mentions: z.array(MentionRefSchema),
    created_at: z.string(),
  })
  .openapi('QueryEntry');
export type QueryEntryView = z.infer<typeof QueryEntrySchema>;

const WaitingOnSchema = z
  .enum(['advisor'])
  .nullable()
  .openapi({ description: "'advisor' while an open question to the advisor waits for an answer" });

const QUERY_FIELDS = {
  id: z.string(),
  process_id: z.string(),
  process_type: z.string(),
  title: z.string(),
  kind: z.enum(QUERY_KINDS),
  audience: z
    .enum(QUERY_AUDIENCES)
    .openapi({ description: 'internal: staff only; client_facing: the client of the process takes part too' }),
  status: z.enum(QUERY_STATUSES),
  assignee: PersonRefSchema,
  created_by: PersonRefSchema,
  sequence: z.number().openapi({ description: 'The sequence of the latest entry' }),
  pauses_sla: z.boolean().openapi({
    description: "True while this query holds the process's SLA clock: an open question to the advisor",
  }),
  waiting_on: WaitingOnSchema,
  created_at: z.string(),
  updated_at: z.string(),
  resolved_at: z.string().nullable(),
  resolved_by: orNull(PersonRefSchema),
};

/** A query as pushed with each change, without its thread. */
export const QueryViewSchema = z.object(QUERY_FIELDS);
export type QueryView = z.infer<typeof QueryViewSchema>;

/** A query with its whole thread, and how many entries by others the caller has not read. */
export const QuerySchema = z
  .object({
    ...QUERY_FIELDS,
    entries: z.array(QueryEntrySchema),
    unread: z.number().openapi({ description: 'Entries by others the caller has not read' }),
  })
  .openapi('Query');
export type QueryThreadView = z.infer<typeof QuerySchema>;

/** What a card shows about a process's queries (the same for every viewer). */
export const ProcessQueriesSummarySchema = z.object({
  process_id: z.string(),
  open: z.number(),
  waiting_on: WaitingOnSchema,
});
export type ProcessQueriesSummary = z.infer<typeof ProcessQueriesSummarySchema>;

/** The summary with the caller's own unread count, as the API answers it. */
export const ReaderQueriesSummarySchema = ProcessQueriesSummarySchema.extend({ unread: z.number() }).openapi(
  'ProcessQueriesSummary',
);
