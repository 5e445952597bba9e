import { createHash, randomBytes } from 'node:crypto';
import { appendAudit } from '../db/audit.js';
import type { Queryable, Tx } from '../db/client.js';
import { appendEvents } from '../db/events.js';
import { inTransaction, QUEUES } from '../db/jobs.js';
import { getProcess, type ProcessRow } from '../db/processes.js';
import {
  appendEntry,
  findEntryByIdempotencyKey,
  getEntry,
  getQuery,
  insertQuery,
  listEntries,
  listQueries,
  lockQuery,
  markRead,
  QUERY_CHANGED_CHANNEL,
  QUERY_READ_CHANNEL,
  summarizeProcessQueries,
  summarizeQueriesForUser,
  unreadByQuery,
  type QueryChangedNotice,
  type QueryEntryRow,
  type QueryReadNotice,
  type QueryRow,
} from '../db/query-threads.js';
import type { NotificationJob } from '../db/transitions.js';
import type { SlaPauseJob } from '../workers/jobs/signal-sla-pause.js';
import { getUser } from '../db/users.js';
import { applicationWorkflowId } from '../workflows/account-opening/definitions.js';
import { onboardingWorkflowId } from '../workflows/client-onboarding/definitions.js';
import { HubError } from '../workflows/errors.js';
import { maySee, visibilityFilter, type Principal, type ProcessRelations, type Scope } from '../workflows/policy.js';
import type { Actor, NotificationIntent } from '../workflows/process-records.js';
import { isTerminal, type ProcessSpec, type Role } from '../workflows/process-spec.js';
import {
  defaultAudience,
  mayCloseQuery,
  mayJoinAudience,
  QUERY_KINDS,
  type QueryAudience,
} from '../workflows/query-threads.js';
import { PROCESS_SPECS, specFor } from '../workflows/specs.js';
import type { HubDeps } from './context.js';
import { toHubError } from './errors.js';
import type {
  MentionRef,
  PersonRef,
  ProcessQueriesSummary,
  QueryChange,
  QueryChangedEvent,
  QueryEntryView,
  QueryKind,
  QueryStatus,
  QueryThreadView,
  QueryView,
} from '../contracts/socket-events.js';
import { extractMentionHandles, localPartOf, resolveMentionHandles } from './mentions.js';

export { QUERY_KINDS };

const KIND_LABELS: Record<QueryKind, string> = {
  question_to_advisor: 'question to the advisor',
  document_request: 'request for a document',
  operational_issue: 'operational issue',
};

/** The workflow of each process type that has an SLA clock a query can pause. */
const SLA_PAUSE_TARGETS: Record<string, (processId: string) => string> = {
  account_opening: applicationWorkflowId,
  client_onboarding: onboardingWorkflowId,
};

interface Person extends PersonRef {
  email: string;
}

export interface OpenQueryInput {
  title: string;
  kind: QueryKind;
  /** Default: internal, or client_facing when a client opens it. */
  audience?: QueryAudience;
  assignee_id?: string;
  body: string;
}

export interface ProcessQueries {
  process_id: string;
  process_type: string;
  summary: ProcessQueriesSummary & { unread: number };
  queries: QueryThreadView[];
}

const principalOf = (person: { id: string; role: string; scope?: Scope }): Principal => ({
  user_id: person.id,
  role: person.role as Role,
  ...(person.scope ? { scope: person.scope } : {}),
});
const relationsOf = (process: ProcessRow): ProcessRelations => ({
  office_id: process.office_id,
  team_id: process.team_id,
  client_user_id: process.client_user_id,
  advisor_id: process.advisor_id,
});
const excerpt = (text: string, max = 280) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function specOf(process: ProcessRow): ProcessSpec {
  const spec = specFor(process.process_type);
  if (!spec) throw new HubError('NOT_FOUND', `No process type ${process.process_type}`);
  return spec;
}

/**
 * Whether a query of this kind, opened now, holds the process's SLA clock: a question to the advisor on a
 * running process whose type has SLAs. Opened before a state with an SLA (during funding, say), it holds
 * the clock that state starts, from its first moment, until the question is resolved.
 */
function shouldPauseSla(kind: QueryKind, process: ProcessRow): boolean {
  const spec = specOf(process);
  return (
    kind === 'question_to_advisor' &&
    process.process_type in SLA_PAUSE_TARGETS &&
    spec.slas.length > 0 &&
    !isTerminal(spec, process.status)
  );
}

async function peopleByIds(db: Queryable, ids: Iterable<string>): Promise<Map<string, Person>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db`SELECT id, name, role, email FROM users WHERE id = ANY(${unique})`;
  return new Map(rows.map((r) => [r.id as string, { id: r.id, name: r.name, role: r.role, email: r.email } as Person]));
}

const refOf = (people: Map<string, Person>, id: string): PersonRef => {
  const person = people.get(id);
  return person ? { id: person.id, name: person.name, role: person.role } : { id, name: id, role: 'unknown' };
};

function queryView(query: QueryRow, people: Map<string, Person>): QueryView {
  return {
    id: query.id,
    process_id: query.process_id,
    process_type: query.process_type,
    title: query.title,
    kind: query.kind,
    audience: query.audience,
    status: query.status,
    assignee: refOf(people, query.assignee_id),
    created_by: refOf(people, query.created_by),
    sequence: query.last_sequence,
    pauses_sla: query.pauses_sla,
    waiting_on: query.status === 'open' && query.kind === 'question_to_advisor' ? 'advisor' : null,
    created_at: new Date(query.created_at).toISOString(),
    updated_at: new Date(query.updated_at).toISOString(),
    resolved_at: query.resolved_at ? new Date(query.resolved_at).toISOString() : null,
    resolved_by: query.resolved_by ? refOf(people, query.resolved_by) : null,
  };
}

function entryView(entry: QueryEntryRow, people: Map<string, Person>): QueryEntryView {
  return {
    sequence: entry.sequence,
    kind: entry.kind,
    author: refOf(people, entry.author_id),
    body: entry.body,
    mentions: entry.mentions.map((id): MentionRef => {
      const person = people.get(id);
      return { ...refOf(people, id), handle: person ? localPartOf(person.email) : id };
    }),
    created_at: new Date(entry.created_at).toISOString(),
  };
}

const peopleOf = (queries: QueryRow[], entries: QueryEntryRow[]) => [
  ...queries.flatMap((q) => [q.assignee_id, q.created_by, ...(q.resolved_by ? [q.resolved_by] : [])]),
  ...entries.flatMap((e) => [e.author_id, ...e.mentions]),
];

async function processSummary(
  db: Queryable,
  processId: string,
  clientFacingOnly = false,
): Promise<ProcessQueriesSummary> {
  const { open, waiting_on_advisor } = await summarizeProcessQueries(db, processId, clientFacingOnly);
  return { process_id: processId, open, waiting_on: waiting_on_advisor ? 'advisor' : null };
}

/** What every node pushes for a committed change: loaded from the database, so all nodes push the same thing. */
export async function loadQueryChangedEvent(
  db: Queryable,
  notice: QueryChangedNotice,
): Promise<{ forStaff: QueryChangedEvent; forClients: QueryChangedEvent | undefined } | undefined> {
  const query = await getQuery(db, notice.query_id);
  const entry = query && (await getEntry(db, notice.query_id, notice.sequence));
  if (!query || !entry) return undefined;
  const people = await peopleByIds(db, peopleOf([query], [entry]));
  const forStaff: QueryChangedEvent = {
    process_type: query.process_type,
    process_id: query.process_id,
    change: entry.kind,
    sequence: entry.sequence,
    // The query as it stands now: pushes go out in commit order, so what a client last got is the latest.
    query: queryView(query, people),
    entry: entryView(entry, people),
    summary: await processSummary(db, query.process_id),
  };
  // A client hears of client-facing threads only, and counts only them.
  const forClients = mayJoinAudience({ role: 'client' }, query.audience)
    ? { ...forStaff, summary: await processSummary(db, query.process_id, true) }
    : undefined;
  return { forStaff, forClients };
}

/** Whether a person may take part in a query: they may see its process, and its audience includes them. */
export function personMayJoin(
  process: ProcessRow,
  query: Pick<QueryRow, 'audience'>,
  person: { id: string; role: string; scope?: Scope },
): boolean {
  return personMaySee(process, person) && mayJoinAudience(person, query.audience);
}

/** Whether a person may see a process (and so its queries, its room and its notes), by the process type's spec. */
export function personMaySee(process: ProcessRow, person: { id: string; role: string; scope?: Scope }): boolean {
  const spec = specFor(process.process_type);
  return Boolean(spec) && maySee(spec!, principalOf(person), relationsOf(process));
}

/**
 * Query threads on processes: open, reply, resolve, reopen, read. Whoever may see a process may take
 * part; every step is audited, appended to the event feed and announced on `query_changed` in the
 * transaction that writes it. A question to the advisor during a state with an SLA pauses that clock.
 */
export function createQueryThreadService(deps: Pick<HubDeps, 'sql' | 'boss' | 'log'>) {
  const { sql, boss, log } = deps;

  async function audited<T>(
    actor: Actor,
    action: string,
    target: { process?: ProcessRow; query_id?: string },
    work: () => Promise<T>,
  ): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const hubError = toHubError(error);
      if (hubError.code === 'INTERNAL_ERROR' || hubError.code === 'SERVICE_UNAVAILABLE') {
        log.error({ err: error, action, ...target }, 'query command failed');
      } else if (target.process && !hubError.audited) {
        await appendAudit(sql, {
          process_type: target.process.process_type,
          process_id: target.process.process_id,
          actor,
          action,
          outcome: 'refused',
          status_before: target.process.status,
          status_after: target.process.status,
          error_code: hubError.code,
          details: { message: hubError.message, ...(target.query_id ? { query_id: target.query_id } : {}) },
        });
        hubError.audited = true;
      }
      throw hubError;
    }
  }

  async function loadProcess(processId: string): Promise<ProcessRow> {
    const process = await getProcess(sql, processId);
    if (!process) throw new HubError('NOT_FOUND', `No process ${processId}`);
    return process;
  }

  function requireVisible(actor: Actor, process: ProcessRow): void {
    if (!personMaySee(process, { id: actor.user_id, role: actor.role, scope: actor.scope }))
      throw new HubError('FORBIDDEN', 'You may not view this process or its queries');
  }

  async function loadQueryAndProcess(queryId: string): Promise<{ query: QueryRow; process: ProcessRow }> {
    const query = await getQuery(sql, queryId);
    if (!query) throw new HubError('QUERY_NOT_FOUND');
    return { query, process: await loadProcess(query.process_id) };
  }

  /** A thread outside the person's audience does not exist for them: the same answer as a query that is not there. */
  function requireJoinable(actor: Actor, process: ProcessRow, query: QueryRow): void {
    requireVisible(actor, process);
    if (!mayJoinAudience(actor, query.audience)) throw new HubError('QUERY_NOT_FOUND');
  }

  /** The active hub users a text mentions who may take part in the thread; everyone else stays plain text. */
  async function resolveMentions(text: string | null, process: ProcessRow, audience: QueryAudience): Promise<Person[]> {
    const handles = text ? extractMentionHandles(text) : [];
    if (handles.length === 0) return [];
    const candidates = await sql`
      SELECT id, name, role, email FROM users
      WHERE active AND (email = ANY(${handles}) OR split_part(email, '@', 1) = ANY(${handles}))`;
    return resolveMentionHandles(handles, candidates as unknown as Person[]).filter((person) =>
      personMayJoin(process, { audience }, person),
    );
  }

  async function threadViews(actor: Actor, queries: QueryRow[]): Promise<QueryThreadView[]> {
    const ids = queries.map((q) => q.id);
    const [entries, unread] = await Promise.all([listEntries(sql, ids), unreadByQuery(sql, actor.user_id, ids)]);
    const people = await peopleByIds(sql, peopleOf(queries, entries));
    return queries.map((query) => ({
      ...queryView(query, people),
      entries: entries.filter((e) => e.query_id === query.id).map((e) => entryView(e, people)),
      unread: unread.get(query.id) ?? 0,
    }));
  }

  async function threadView(actor: Actor, queryId: string): Promise<QueryThreadView> {
    const query = await getQuery(sql, queryId);
    if (!query) throw new HubError('QUERY_NOT_FOUND');
    const [view] = await threadViews(actor, [query]);
    return view;
  }

  /** Whoever asked decides when the answer is enough, with compliance and administrators (`mayCloseQuery`). */
  function requireCloser(actor: Actor, query: QueryRow): void {
    if (!mayCloseQuery({ id: actor.user_id, role: actor.role }, query)) {
      throw new HubError(
        'FORBIDDEN',
        'Only the person who asked, a compliance officer or an administrator can resolve or reopen this query',
      );
    }
  }

  interface Step {
    change: QueryChange;
    body: string | null;
    status: QueryStatus;
    pauses_sla: boolean;
    idempotency_key?: string;
  }

  /**
   * Writes one step of a thread in one transaction: the entry, the audit row, the event, the notification
   * job for mentions and assignment, and the NOTIFY. Returns the query as it stands after the step.
   */
  async function writeStep(
    tx: Tx,
    actor: Actor,
    process: ProcessRow,
    query: QueryRow,
    step: Step,
    mentioned: Person[],
  ): Promise<QueryRow> {
    const written = await appendEntry(
      tx,
      query,
      {
        kind: step.change,
        author_id: actor.user_id,
        body: step.body,
        mentions: mentioned.map((p) => p.id),
        idempotency_key: step.idempotency_key,
      },
      { status: step.status, pauses_sla: step.pauses_sla },
    );
    const after = written.query;
    const sequence = written.entry.sequence;
    await appendAudit(tx, {
      process_type: process.process_type,
      process_id: process.process_id,
      actor,
      action: `${{ opened: 'open', replied: 'reply', resolved: 'resolve', reopened: 'reopen' }[step.change]}_query`,
      outcome: 'accepted',
      status_before: process.status,
      status_after: process.status,
      details: {
        query_id: after.id,
        sequence,
        kind: after.kind,
        audience: after.audience,
        title: after.title,
        assignee_id: after.assignee_id,
        query_status: after.status,
        body: step.body,
        mentions: mentioned.map((p) => p.id),
        pauses_sla: after.pauses_sla,
      },
    });
    await appendEvents(tx, process.process_type, process.process_id, [
      {
        type: `query.${step.change}`,
        payload: {
          query_id: after.id,
          process_id: process.process_id,
          kind: after.kind,
          audience: after.audience,
          title: after.title,
          status: after.status,
          assignee_id: after.assignee_id,
          sequence,
          by: actor.user_id,
          mentions: mentioned.map((p) => p.id),
          pauses_sla: after.pauses_sla,
          timestamp: new Date(written.entry.created_at).toISOString(),
        },
      },
    ]);

    const notifications: NotificationIntent[] = [];
    const where = `${process.title} (${KIND_LABELS[after.kind]})`;
    if (step.change === 'opened' && after.assignee_id !== actor.user_id) {
      notifications.push({
        to: [{ user_id: after.assignee_id }],
        kind: 'query_assigned',
        title: `${actor.name} asks you: ${after.title}`,
        body: `${where}: ${excerpt(step.body ?? '')}`,
      });
    }
    const mentionedOthers = mentioned.filter(
      (p) => p.id !== actor.user_id && !(step.change === 'opened' && p.id === after.assignee_id),
    );
    if (mentionedOthers.length && step.body) {
      notifications.push({
        to: mentionedOthers.map((p) => ({ user_id: p.id })),
        kind: 'mention',
        title: `${actor.name} mentioned you in "${after.title}"`,
        body: `${where}: ${excerpt(step.body)}`,
      });
    }
    if (notifications.length) {
      const job: NotificationJob = {
        process_type: process.process_type,
        process_id: process.process_id,
        version: sequence,
        action: `${step.change}_query`,
        notifications,
        cause: `query:${after.id}:${sequence}`,
      };
      await boss.send(QUEUES.deliverNotifications, job, { db: inTransaction(tx) });
    }
    const workflowId = SLA_PAUSE_TARGETS[process.process_type]?.(process.process_id);
    if (workflowId && (after.pauses_sla !== query.pauses_sla || (step.change === 'opened' && after.pauses_sla))) {
      // In this transaction, so the pause or resume reaches the workflow even if this server dies right after.
      const job: SlaPauseJob = {
        workflow_id: workflowId,
        key: after.id,
        active: after.pauses_sla,
        reason: `Waiting on the advisor: ${after.title}`,
        sequence,
      };
      await boss.send(QUEUES.signalSlaPause, job, { db: inTransaction(tx) });
    }
    const notice: QueryChangedNotice = { query_id: after.id, sequence };
    await tx`SELECT pg_notify(${QUERY_CHANGED_CHANNEL}, ${JSON.stringify(notice)})`;
    return after;
  }

  /** A reply, resolve or reopen on an existing query, by someone who may see its process. */
  async function continueThread(
    actor: Actor,
    queryId: string,
    action: string,
    body: string | null,
    plan: (query: QueryRow, process: ProcessRow) => Omit<Step, 'body'>,
    idempotencyKey?: string,
  ): Promise<QueryThreadView> {
    const found = await getQuery(sql, queryId);
    const process = found ? await getProcess(sql, found.process_id) : undefined;
    return audited(actor, action, { process, query_id: queryId }, async () => {
      if (!found || !process) throw new HubError('QUERY_NOT_FOUND');
      requireJoinable(actor, process, found);
      const mentioned = await resolveMentions(body, process, found.audience);
      await sql.begin(async (tx) => {
        const locked = (await lockQuery(tx, queryId))!;
        // Under the lock, so two tries of the same request cannot both pass this check.
        if (idempotencyKey && (await findEntryByIdempotencyKey(tx, queryId, actor.user_id, idempotencyKey)))
          return undefined;
        const step = { ...plan(locked, process), body };
        return { before: locked, after: await writeStep(tx, actor, process, locked, step, mentioned) };
      });
      return threadView(actor, queryId);
    });
  }

  function newQueryId(actor: Actor, processId: string, idempotencyKey?: string): string {
    // The same key from the same person on the same process always names the same query, so a retried POST is harmless.
    const seed = idempotencyKey
      ? createHash('sha256').update(`${actor.user_id}\n${processId}\n${idempotencyKey}`).digest()
      : randomBytes(16);
    return `qry_${seed.toString('base64url').replace(/[-_]/g, '').slice(0, 16).toLowerCase()}`;
  }

  return {
    async list(actor: Actor, processId: string): Promise<ProcessQueries> {
      const process = await loadProcess(processId);
      requireVisible(actor, process);
      const joinable = (await listQueries(sql, processId)).filter((query) => mayJoinAudience(actor, query.audience));
      const queries = await threadViews(actor, joinable);
      const open = queries.filter((q) => q.status === 'open');
      return {
        process_id: process.process_id,
        process_type: process.process_type,
        summary: {
          process_id: process.process_id,
          open: open.length,
          waiting_on: open.some((q) => q.waiting_on === 'advisor') ? 'advisor' : null,
          unread: queries.reduce((sum, q) => sum + q.unread, 0),
        },
        queries,
      };
    },

    /**
     * The hub users who may take part in a thread of this audience on a process: whom it may be assigned
     * to, and whom it may mention (by `handle`). A client only ever opens client-facing threads.
     */
    async people(actor: Actor, processId: string, audience?: QueryAudience): Promise<MentionRef[]> {
      const process = await loadProcess(processId);
      requireVisible(actor, process);
      const asked = audience ?? defaultAudience(actor);
      const wanted = mayJoinAudience(actor, asked) ? asked : 'client_facing';
      const users = await sql`SELECT id, name, role, email FROM users WHERE active ORDER BY name, id`;
      return (users as unknown as Person[])
        .filter((person) => personMayJoin(process, { audience: wanted }, person))
        .map((person) => ({ id: person.id, name: person.name, role: person.role, handle: localPartOf(person.email) }));
    },

    async get(actor: Actor, queryId: string): Promise<QueryThreadView> {
      const { query, process } = await loadQueryAndProcess(queryId);
      requireJoinable(actor, process, query);
      return threadView(actor, queryId);
    },

    async open(
      actor: Actor,
      processId: string,
      input: OpenQueryInput,
      idempotencyKey?: string,
    ): Promise<QueryThreadView> {
      const process = await getProcess(sql, processId);
      return audited(actor, 'open_query', { process }, async () => {
        if (!process) throw new HubError('NOT_FOUND', `No process ${processId}`);
        requireVisible(actor, process);
        const audience = input.audience ?? defaultAudience(actor);
        if (!mayJoinAudience(actor, audience)) {
          throw new HubError('FORBIDDEN', 'audience: a client can open client-facing queries only', {
            field: 'audience',
          });
        }
        const queryId = newQueryId(actor, processId, idempotencyKey);
        const existing = idempotencyKey ? await getQuery(sql, queryId) : undefined;
        if (existing) return threadView(actor, queryId);
        const assigneeId = input.assignee_id ?? (input.kind === 'question_to_advisor' ? process.advisor_id : null);
        if (!assigneeId)
          throw new HubError('VALIDATION_FAILED', 'assignee_id: required for this kind of query', {
            field: 'assignee_id',
          });
        if (input.kind === 'question_to_advisor' && assigneeId !== process.advisor_id) {
          throw new HubError(
            'VALIDATION_FAILED',
            process.advisor_id
              ? `assignee_id: a question to the advisor goes to the advisor on this process (${process.advisor_id})`
              : 'kind: this process has no advisor',
            { field: process.advisor_id ? 'assignee_id' : 'kind' },
          );
        }
        const assignee = await getUser(sql, assigneeId);
        if (!assignee || !personMaySee(process, assignee)) {
          throw new HubError(
            'VALIDATION_FAILED',
            `assignee_id: ${assigneeId} is not a hub user who may see this process`,
            { field: 'assignee_id' },
          );
        }
        if (!mayJoinAudience(assignee, audience)) {
          throw new HubError('VALIDATION_FAILED', `assignee_id: ${assigneeId} is a client and this query is internal`, {
            field: 'assignee_id',
          });
        }
        const mentioned = await resolveMentions(input.body, process, audience);
        const pausesSla = shouldPauseSla(input.kind, process);
        await sql.begin(async (tx) => {
          // Two tries of the same request at once: the second waits for the first's row, then answers with it.
          if (idempotencyKey) await tx`SELECT pg_advisory_xact_lock(hashtext(${queryId}))`;
          if (idempotencyKey && (await getQuery(tx, queryId))) return undefined;
          const query = await insertQuery(tx, {
            id: queryId,
            process_id: process.process_id,
            process_type: process.process_type,
            title: input.title,
            kind: input.kind,
            audience,
            assignee_id: assigneeId,
            created_by: actor.user_id,
            pauses_sla: pausesSla,
          });
          return writeStep(
            tx,
            actor,
            process,
            query,
            { change: 'opened', body: input.body, status: 'open', pauses_sla: pausesSla },
            mentioned,
          );
        });
        return threadView(actor, queryId);
      });
    },

    reply(actor: Actor, queryId: string, body: string, idempotencyKey?: string): Promise<QueryThreadView> {
      return continueThread(
        actor,
        queryId,
        'reply_query',
        body,
        (query) => {
          if (query.status === 'resolved') throw new HubError('QUERY_RESOLVED');
          return { change: 'replied', status: 'open', pauses_sla: query.pauses_sla, idempotency_key: idempotencyKey };
        },
        idempotencyKey,
      );
    },

    resolve(actor: Actor, queryId: string, note?: string): Promise<QueryThreadView> {
      return continueThread(actor, queryId, 'resolve_query', note ?? null, (query) => {
        requireCloser(actor, query);
        if (query.status === 'resolved') throw new HubError('QUERY_RESOLVED', 'This query is already resolved');
        return { change: 'resolved', status: 'resolved', pauses_sla: false };
      });
    },

    reopen(actor: Actor, queryId: string, note?: string): Promise<QueryThreadView> {
      return continueThread(actor, queryId, 'reopen_query', note ?? null, (query, process) => {
        requireCloser(actor, query);
        if (query.status === 'open') throw new HubError('QUERY_ALREADY_OPEN');
        return { change: 'reopened', status: 'open', pauses_sla: shouldPauseSla(query.kind, process) };
      });
    },

    /** Moves the caller's read marker to `sequence` (default: the latest entry) and tells their other tabs. */
    async markRead(
      actor: Actor,
      queryId: string,
      sequence?: number,
    ): Promise<{ query_id: string; read_sequence: number; unread: number }> {
      const { query, process } = await loadQueryAndProcess(queryId);
      requireJoinable(actor, process, query);
      const target = Math.min(sequence ?? query.last_sequence, query.last_sequence);
      const readSequence = await sql.begin(async (tx) => {
        const stored = await markRead(tx, queryId, actor.user_id, target);
        const notice: QueryReadNotice = {
          user_id: actor.user_id,
          process_id: query.process_id,
          query_id: queryId,
          read_sequence: stored,
        };
        await tx`SELECT pg_notify(${QUERY_READ_CHANNEL}, ${JSON.stringify(notice)})`;
        return stored;
      });
      const unread = (await unreadByQuery(sql, actor.user_id, [queryId])).get(queryId) ?? 0;
      return { query_id: queryId, read_sequence: readSequence, unread };
    },

    /** For the board's cards: per visible process that has queries, open count, the caller's unread count, and whom it waits on. */
    async summaries(actor: Actor, processIds?: string[]): Promise<(ProcessQueriesSummary & { unread: number })[]> {
      const summaries: (ProcessQueriesSummary & { unread: number })[] = [];
      for (const spec of PROCESS_SPECS) {
        const visibility = visibilityFilter(spec, actor);
        if ('none' in visibility) continue;
        const filters = {
          processType: spec.processType,
          processIds,
          clientFacingOnly: !mayJoinAudience(actor, 'internal'),
        };
        for (const row of await summarizeQueriesForUser(sql, actor.user_id, visibility, filters)) {
          summaries.push({
            process_id: row.process_id,
            open: row.open,
            unread: row.unread,
            waiting_on: row.waiting_on_advisor ? 'advisor' : null,
          });
        }
      }
      return summaries;
    },
  };
}

export type QueryThreadService = ReturnType<typeof createQueryThreadService>;
