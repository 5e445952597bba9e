import { type ErrorSpec, type Role, refuse } from './process-spec.js';
import { GRANTS } from './grants.js';
import { roleMayRun } from './policy.js';

export const QUERY_THREAD_ERRORS = {
  QUERY_NOT_FOUND: refuse(404, 'Query not found'),
  QUERY_RESOLVED: refuse(409, 'This query is resolved; reopen it to continue the thread'),
  QUERY_ALREADY_OPEN: refuse(409, 'This query is already open'),
} as const satisfies Record<string, ErrorSpec>;

/**
 * Who a thread is for. Internal threads are the firm's own (compliance's questions to the advisor about
 * the source of funds must not tip the client off); client-facing ones are chosen explicitly.
 */
export const QUERY_AUDIENCES = ['internal', 'client_facing'] as const;
export type QueryAudience = (typeof QUERY_AUDIENCES)[number];

/** Whether a person may read, join, be assigned or be mentioned in a thread of this audience. */
export function mayJoinAudience(person: { role: string }, audience: QueryAudience): boolean {
  return audience === 'client_facing' || person.role !== 'client';
}

/** What a thread is for when its opener does not say: internal, except for a client, who can open no other. */
export function defaultAudience(opener: { role: string }): QueryAudience {
  return opener.role === 'client' ? 'client_facing' : 'internal';
}

export const QUERY_KINDS = ['question_to_advisor', 'document_request', 'operational_issue'] as const;
export type QueryKind = (typeof QUERY_KINDS)[number];
export const QUERY_STATUSES = ['open', 'resolved'] as const;
export type QueryStatus = (typeof QUERY_STATUSES)[number];
/** What happened to a query; also the kind of the thread entry it wrote. */
export const QUERY_CHANGES = ['opened', 'replied', 'resolved', 'reopened'] as const;
export type QueryChange = (typeof QUERY_CHANGES)[number];

/** Who decides a query is settled: whoever asked, and the roles GRANTS names. */
export function mayCloseQuery(person: { id: string; role: string }, query: { created_by: string }): boolean {
  return person.id === query.created_by || roleMayRun(GRANTS.query_threads, 'close_query', person.role as Role);
}
