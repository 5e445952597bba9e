import type { Socket } from 'socket.io';
import {
  boardChangesAfter,
  boardSnapshot,
  changesAfter,
  getCard,
  latestChangeSequence,
  oldestChangeSequence,
  type StoredChange,
} from '../../db/board.js';
import type { Sql } from '../../db/client.js';
import type { Logger } from '../../runtime/logger.js';
import { HubError } from '../../workflows/errors.js';
import { maySee, visibilityFilter, type Principal, type ProcessRelations } from '../../workflows/policy.js';
import { specFor } from '../../workflows/specs.js';
import type {
  BoardCard,
  BoardSubscribeReply,
  ClientToServerEvents,
  ProcessChange,
  ServerToClientEvents,
  SocketData,
} from '../../contracts/socket-events.js';
import { rooms } from '../../contracts/socket-events.js';

export type HubSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** A board a socket follows: where it is up to, and live changes held back while it catches up. */
interface BoardFollow {
  cursor: number;
  held: ProcessChange[] | null;
}

const FETCH_BATCH = 500;

/** A change on its way to sockets; unnumbered when its transition wrote no event. */
type PushedChange = Omit<StoredChange, 'sequence'> & { sequence: number | null };

export const principalOf = (socket: HubSocket): Principal => ({
  user_id: socket.data.user.id,
  role: socket.data.user.role,
  ...(socket.data.user.scope ? { scope: socket.data.user.scope } : {}),
});

/**
 * What one socket may receive of a change: the card if the person may see the process now, a removal if
 * they could see it before the change only, nothing otherwise. Asked for every push and every replay.
 */
export function changeFor(principal: Principal, change: PushedChange, replayed: boolean): ProcessChange | undefined {
  const spec = specFor(change.process_type);
  if (!spec) return undefined;
  const after: ProcessRelations = {
    client_user_id: change.client_user_id,
    advisor_id: change.advisor_id,
    office_id: change.office_id,
    team_id: change.team_id,
  };
  const before: ProcessRelations = {
    client_user_id: change.prev_client_user_id,
    advisor_id: change.prev_advisor_id,
    office_id: change.prev_office_id,
    team_id: change.prev_team_id,
  };
  const seesAfter = maySee(spec, principal, after);
  if (!seesAfter && !maySee(spec, principal, before)) return undefined;
  return {
    sequence: change.sequence,
    process_type: change.process_type,
    process_id: change.process_id,
    version: change.version,
    card: seesAfter ? change.card : null,
    replayed,
  };
}

/**
 * Follows the change log on one server node and hands each change to this node's own sockets, in
 * sequence order, once. Every node does the same from its own LISTEN, so pushes never cross the adapter.
 */
export function createBoardFeed(deps: {
  sql: Sql;
  log: Logger;
  replayLimit: number;
  terminalDays: number;
  localSockets: (roomNames: string[]) => HubSocket[];
}) {
  const { sql, log } = deps;
  const follows = new Map<string, Map<string, BoardFollow>>();
  let lastPushed = 0;
  let started: Promise<void> | undefined;
  let draining: Promise<void> | undefined;
  let drainAgain = false;

  function followsOf(socket: HubSocket): Map<string, BoardFollow> {
    let boards = follows.get(socket.id);
    if (!boards) follows.set(socket.id, (boards = new Map()));
    return boards;
  }

  /** Sends a change to a socket unless it has it already; held back while the socket's board catches up. */
  function deliver(socket: HubSocket, change: ProcessChange) {
    const board = follows.get(socket.id)?.get(change.process_type);
    if (board?.held) {
      board.held.push(change);
      return;
    }
    if (board && change.sequence !== null) {
      if (change.sequence <= board.cursor) return;
      board.cursor = change.sequence;
    }
    socket.emit('process:changed', change);
  }

  function push(stored: PushedChange) {
    const targets = deps.localSockets([rooms.board(stored.process_type), rooms.process(stored.process_id)]);
    for (const socket of targets) {
      const change = changeFor(principalOf(socket), stored, false);
      if (!change) continue;
      if (!change.card) void socket.leave(rooms.process(stored.process_id));
      deliver(socket, change);
    }
  }

  async function drain() {
    for (;;) {
      const batch = await changesAfter(sql, lastPushed, FETCH_BATCH);
      for (const stored of batch) {
        push(stored);
        lastPushed = stored.sequence;
      }
      if (batch.length < FETCH_BATCH) return;
    }
  }

  /** Reads and pushes whatever was committed since the last push; concurrent calls coalesce. */
  function catchUpNode(): Promise<void> {
    // Before start() there is nobody to push to, and start() skips what is already committed.
    if (!started) return Promise.resolve();
    if (draining) {
      drainAgain = true;
      return draining;
    }
    draining = (async () => {
      do {
        drainAgain = false;
        try {
          await started;
          await drain();
        } catch (error) {
          log.error({ err: error }, 'could not read the change log; the next notice retries');
          return;
        }
      } while (drainAgain);
    })().finally(() => (draining = undefined));
    return draining;
  }

  /** A transition that wrote no event has no sequence: its card is pushed as it stands, unnumbered. */
  async function pushUnsequenced(processId: string) {
    const card = await getCard(sql, processId);
    if (!card) return;
    push({
      sequence: null,
      process_type: card.process_type,
      process_id: card.process_id,
      version: card.version,
      client_user_id: card.client_user_id,
      advisor_id: card.advisor_id,
      prev_client_user_id: card.client_user_id,
      prev_advisor_id: card.advisor_id,
      office_id: card.office_id,
      team_id: card.team_id,
      prev_office_id: card.office_id,
      prev_team_id: card.team_id,
      card,
    });
  }

  async function subscribe(
    socket: HubSocket,
    request: { process_type: string; after?: number | null },
    scopeChanged = false,
  ): Promise<BoardSubscribeReply> {
    const spec = specFor(request.process_type);
    if (!spec) throw new HubError('NOT_FOUND', `No process type ${request.process_type}`);
    const principal = principalOf(socket);
    const visibility = visibilityFilter(spec, principal);
    if ('none' in visibility) throw new HubError('FORBIDDEN', `You may not see ${spec.title.toLowerCase()} processes`);

    const board: BoardFollow = { cursor: request.after ?? 0, held: [] };
    followsOf(socket).set(spec.processType, board);
    // A newer subscription (or an unsubscribe) of the same board while this one reads takes over.
    const current = () => follows.get(socket.id)?.get(spec.processType) === board;
    const superseded = (): BoardSubscribeReply => ({
      process_type: spec.processType,
      mode: 'replay',
      sequence: board.cursor,
      replayed: 0,
    });
    await socket.join(rooms.board(spec.processType));
    try {
      let mode: BoardSubscribeReply['mode'] = 'replay';
      let replayed = 0;
      // Replayable only from within the log: older rows may have been pruned, and a cursor beyond its end
      // (a board that outlived a restore from an older backup) would wait for numbers already taken.
      const ahead = request.after != null && request.after > (await latestChangeSequence(sql));
      const replayable = request.after != null && !ahead && request.after >= ((await oldestChangeSequence(sql)) ?? 0);
      const missed =
        request.after == null
          ? undefined
          : replayable
            ? await boardChangesAfter(
                sql,
                { process_type: spec.processType, visibility },
                request.after,
                deps.replayLimit + 1,
              )
            : null;
      if (!current()) return superseded();
      if (missed && missed.length <= deps.replayLimit) {
        for (const stored of missed) {
          const change = changeFor(principal, stored, true);
          board.cursor = stored.sequence;
          if (!change) continue;
          socket.emit('process:changed', change);
          replayed += 1;
        }
      } else {
        mode = 'snapshot';
        const snapshot = await boardSnapshot(sql, {
          process_type: spec.processType,
          visibility,
          terminalStates: spec.states.filter((s) => s.terminal).map((s) => s.id),
          terminalDays: deps.terminalDays,
        });
        if (!current()) return superseded();
        board.cursor = snapshot.sequence;
        const reason = scopeChanged
          ? 'scope_changed'
          : missed === undefined
            ? 'initial'
            : ahead
              ? 'cursor_ahead'
              : 'too_far_behind';
        socket.emit('board:snapshot', { process_type: spec.processType, ...snapshot, reason });
      }
      const held = board.held ?? [];
      board.held = null;
      for (const change of held) deliver(socket, change);
      return { process_type: spec.processType, mode, sequence: board.cursor, replayed };
    } catch (error) {
      if (current()) unsubscribe(socket, spec.processType);
      throw error;
    }
  }

  function unsubscribe(socket: HubSocket, processType: string) {
    follows.get(socket.id)?.delete(processType);
    void socket.leave(rooms.board(processType));
  }

  async function watch(socket: HubSocket, processId: string): Promise<BoardCard> {
    const card = await getCard(sql, processId);
    const spec = card && specFor(card.process_type);
    if (!card || !spec) throw new HubError('NOT_FOUND', `No process ${processId}`);
    if (!maySee(spec, principalOf(socket), card)) throw new HubError('FORBIDDEN', 'You may not view this process');
    await socket.join(rooms.process(processId));
    return card;
  }

  /**
   * After a move in the hierarchy (the socket's person, or a client and so their processes): each board the
   * socket follows starts again from a snapshot of what it may see now, and it leaves the rooms of processes
   * it may no longer see, told by a removal.
   */
  async function reevaluate(socket: HubSocket): Promise<void> {
    for (const processType of [...(follows.get(socket.id)?.keys() ?? [])]) {
      await subscribe(socket, { process_type: processType }, true).catch((error: unknown) => {
        if (!(error instanceof HubError)) throw error;
        unsubscribe(socket, processType);
      });
    }
    const watched = [...socket.rooms].filter((room) => room.startsWith(rooms.process('')));
    for (const room of watched) {
      const card = await getCard(sql, room.slice(rooms.process('').length));
      const spec = card && specFor(card.process_type);
      if (card && spec && maySee(spec, principalOf(socket), card)) continue;
      void socket.leave(room);
      if (card) {
        const { process_type, process_id, version } = card;
        socket.emit('process:changed', {
          sequence: null,
          process_type,
          process_id,
          version,
          card: null,
          replayed: false,
        });
      }
    }
  }

  return {
    /** Where this node starts: it pushes only what is committed after it began listening. */
    start(): Promise<void> {
      started ??= latestChangeSequence(sql).then((sequence) => {
        lastPushed = sequence;
      });
      return started;
    },
    catchUpNode,
    pushUnsequenced,
    subscribe,
    unsubscribe,
    watch,
    reevaluate,
    forget(socket: HubSocket) {
      follows.delete(socket.id);
    },
    get lastPushed() {
      return lastPushed;
    },
  };
}

export type BoardFeed = ReturnType<typeof createBoardFeed>;
