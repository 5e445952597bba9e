import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A Slack Web API on loopback, on Slack's wire format: methods are POSTed to /api/<method> as form or JSON
 * bodies with a bearer token, and answer `{ok, ...}`. It keeps channels, threads, users and views, records
 * every call, and can be told to fail the next call to a method (a 429 with Retry-After, a platform error).
 * Socket Mode: apps.connections.open hands out a WebSocket on the same port, through which a test delivers
 * envelopes and reads the bot's acknowledgements.
 */

export interface RecordedCall {
  method: string;
  args: Record<string, any>;
  token: string | undefined;
  /** Date.now() when the request arrived. */
  at: number;
  status: number;
  response: Record<string, any>;
}

export interface EmulatedUser {
  id: string;
  email?: string;
  name: string;
  is_bot?: boolean;
}

export interface StoredMessage {
  ts: string;
  channel: string;
  text: string;
  blocks?: any[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  thread_ts?: string;
  bot_id: string;
  edited?: boolean;
}

type Failure = { status: 429; retryAfter: number } | { error: string } | { status: number };

/** Slack's Block Kit limits, as its API enforces them with `invalid_blocks`. */
function blockProblems(blocks: any[], maxBlocks: number): string[] {
  const problems: string[] = [];
  if (blocks.length > maxBlocks) problems.push(`no more than ${maxBlocks} items allowed [json-pointer:/blocks]`);
  const tooLong = (text: unknown, max: number, where: string) => {
    if (typeof text === 'string' && text.length > max)
      problems.push(`must be less than ${max + 1} characters [json-pointer:${where}]`);
  };
  blocks.forEach((block, i) => {
    if (block.type === 'section') {
      tooLong(block.text?.text, 3000, `/blocks/${i}/text`);
      if ((block.fields ?? []).length > 10)
        problems.push(`no more than 10 items allowed [json-pointer:/blocks/${i}/fields]`);
      (block.fields ?? []).forEach((f: any, j: number) => tooLong(f.text, 2000, `/blocks/${i}/fields/${j}/text`));
    }
    if (block.type === 'header') tooLong(block.text?.text, 150, `/blocks/${i}/text`);
    if (block.type === 'context')
      (block.elements ?? []).forEach((e: any, j: number) => tooLong(e.text, 3000, `/blocks/${i}/elements/${j}/text`));
    if (block.type === 'actions')
      (block.elements ?? []).forEach((e: any, j: number) =>
        tooLong(e.text?.text, 75, `/blocks/${i}/elements/${j}/text`),
      );
  });
  return problems;
}

export const BOT_USER_ID = 'UHUBBOT';
export const BOT_ID = 'BHUBBOT';

/** Fields Slack's clients send JSON-encoded inside a form body. */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'metadata', 'view', 'users']);

export interface SlackEmulator {
  /** For SLACK_API_URL: ends in /api/. */
  apiUrl: string;
  calls: RecordedCall[];
  callsTo(method: string): RecordedCall[];
  /** The first call (already made or still to come) that matches. */
  waitForCall(method: string, match?: (call: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall>;
  failNext(method: string, failure: Failure): void;
  addUser(user: EmulatedUser): void;
  /** A channel's messages, thread replies included, oldest first. */
  messages(channel: string): StoredMessage[];
  /** Posts as if the bot had, bypassing the recording: the state an earlier attempt may have left. */
  seedMessage(message: Omit<StoredMessage, 'ts' | 'bot_id'>): StoredMessage;
  /** Socket Mode: sends an envelope to the connected bot and resolves with its acknowledgement. */
  sendEnvelope(
    type: 'interactive' | 'slash_commands' | 'events_api',
    payload: Record<string, unknown>,
  ): Promise<{ envelope_id: string; payload?: unknown }>;
  socketConnected(): Promise<void>;
  close(): Promise<void>;
}

export async function startSlackEmulator(options: {
  botToken: string;
  appToken?: string;
  users?: EmulatedUser[];
}): Promise<SlackEmulator> {
  const calls: RecordedCall[] = [];
  const events = new EventEmitter();
  events.setMaxListeners(100);
  const failures = new Map<string, Failure[]>();
  const users = new Map<string, EmulatedUser>((options.users ?? []).map((u) => [u.id, u]));
  const channels = new Map<string, StoredMessage[]>();
  let tsCounter = 0;
  const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++tsCounter).padStart(6, '0')}`;

  const store = (message: Omit<StoredMessage, 'ts' | 'bot_id'>): StoredMessage => {
    const stored: StoredMessage = { ...message, ts: nextTs(), bot_id: BOT_ID };
    channels.set(message.channel, [...(channels.get(message.channel) ?? []), stored]);
    return stored;
  };
  const dmChannelOf = (userId: string) => `D${userId.slice(1)}`;
  const resolveChannel = (channel: string) => (/^[UW]/.test(channel) ? dmChannelOf(channel) : channel);
  const asSlackMessage = (m: StoredMessage, withMetadata: boolean) => ({
    type: 'message',
    ts: m.ts,
    text: m.text,
    blocks: m.blocks,
    bot_id: m.bot_id,
    user: BOT_USER_ID,
    ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
    ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
  });

  const methods: Record<string, (args: Record<string, any>) => Record<string, any>> = {
    'auth.test': () => ({
      ok: true,
      url: 'https://hub-test.slack.com/',
      team: 'Hub Test',
      user: 'hub',
      team_id: 'THUB',
      user_id: BOT_USER_ID,
      bot_id: BOT_ID,
    }),
    'chat.postMessage': (args) => {
      if (!args.channel) return { ok: false, error: 'channel_not_found' };
      const channel = resolveChannel(String(args.channel));
      if (args.thread_ts && !(channels.get(channel) ?? []).some((m) => m.ts === args.thread_ts))
        return { ok: false, error: 'thread_not_found' };
      const stored = store({
        channel,
        text: args.text ?? '',
        blocks: args.blocks,
        metadata: args.metadata,
        thread_ts: args.thread_ts,
      });
      return { ok: true, channel, ts: stored.ts, message: asSlackMessage(stored, true) };
    },
    'chat.update': (args) => {
      const message = (channels.get(String(args.channel)) ?? []).find((m) => m.ts === args.ts);
      if (!message) return { ok: false, error: 'message_not_found' };
      Object.assign(message, { text: args.text ?? message.text, blocks: args.blocks ?? message.blocks, edited: true });
      return { ok: true, channel: args.channel, ts: args.ts, text: message.text };
    },
    'chat.postEphemeral': (args) => {
      if (!args.channel || !args.user) return { ok: false, error: 'channel_not_found' };
      return { ok: true, message_ts: nextTs() };
    },
    'conversations.open': (args) => {
      const userId = String(args.users ?? '').split(',')[0];
      if (!users.has(userId)) return { ok: false, error: 'user_not_found' };
      return { ok: true, channel: { id: dmChannelOf(userId) } };
    },
    'conversations.history': (args) => {
      const oldest = Number(args.oldest ?? 0);
      const messages = (channels.get(String(args.channel)) ?? [])
        .filter((m) => !m.thread_ts && Number(m.ts) > oldest)
        .reverse();
      return {
        ok: true,
        messages: messages.map((m) =>
          asSlackMessage(m, args.include_all_metadata === true || args.include_all_metadata === 'true'),
        ),
        has_more: false,
      };
    },
    'conversations.replies': (args) => {
      const all = channels.get(String(args.channel)) ?? [];
      const root = all.find((m) => m.ts === args.ts);
      if (!root) return { ok: false, error: 'thread_not_found' };
      const oldest = Number(args.oldest ?? 0);
      const thread = [root, ...all.filter((m) => m.thread_ts === args.ts)].filter(
        (m) => m === root || Number(m.ts) > oldest,
      );
      return {
        ok: true,
        messages: thread.map((m) =>
          asSlackMessage(m, args.include_all_metadata === true || args.include_all_metadata === 'true'),
        ),
        has_more: false,
      };
    },
    'users.info': (args) => {
      const user = users.get(String(args.user));
      if (!user) return { ok: false, error: 'user_not_found' };
      return {
        ok: true,
        user: {
          id: user.id,
          name: user.name,
          real_name: user.name,
          is_bot: Boolean(user.is_bot),
          profile: { email: user.email, real_name: user.name },
        },
      };
    },
    'users.lookupByEmail': (args) => {
      const user = [...users.values()].find((u) => u.email && u.email === String(args.email).toLowerCase());
      if (!user) return { ok: false, error: 'users_not_found' };
      return { ok: true, user: { id: user.id, name: user.name, profile: { email: user.email } } };
    },
    'views.open': (args) =>
      args.trigger_id
        ? { ok: true, view: { ...args.view, id: `V${randomUUID().slice(0, 8).toUpperCase()}` } }
        : { ok: false, error: 'invalid_trigger_id' },
    'views.publish': (args) =>
      users.has(String(args.user_id))
        ? { ok: true, view: { ...args.view, id: `V${randomUUID().slice(0, 8).toUpperCase()}` } }
        : { ok: false, error: 'user_not_found' },
    'apps.connections.open': () => ({ ok: true, url: `${wsUrl}/link/?ticket=${randomUUID()}` }),
  };

  const server = createServer(async (req, res) => {
    const method = req.url?.match(/^\/api\/([A-Za-z.]+)/)?.[1];
    const at = Date.now();
    const raw = await readBody(req);
    if (!method) return send(res, 404, { ok: false, error: 'unknown_method' });
    const args = parseArgs(req.headers['content-type'] ?? '', raw);
    const token = req.headers.authorization?.replace(/^Bearer\s+/i, '') ?? (args.token as string | undefined);
    const record = (status: number, response: Record<string, any>, headers: Record<string, string> = {}) => {
      const call: RecordedCall = { method, args, token, at, status, response };
      calls.push(call);
      send(res, status, response, headers);
      events.emit('call', call);
    };

    const failure = failures.get(method)?.shift();
    if (failure) {
      if ('retryAfter' in failure)
        return record(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(failure.retryAfter) });
      if ('error' in failure) return record(200, { ok: false, error: failure.error });
      return record(failure.status, { ok: false, error: 'internal_error' });
    }
    const expected = method === 'apps.connections.open' ? options.appToken : options.botToken;
    if (!token || token !== expected) return record(200, { ok: false, error: 'invalid_auth' });
    const handler = methods[method];
    if (!handler) return record(200, { ok: false, error: 'unknown_method' });
    const blocks = args.blocks ?? (typeof args.view === 'object' ? args.view?.blocks : undefined);
    const invalid = Array.isArray(blocks) ? blockProblems(blocks, method.startsWith('views.') ? 100 : 50) : [];
    if (invalid.length) return record(200, { ok: false, error: 'invalid_blocks', errors: invalid });
    record(200, handler(args));
  });

  const sockets = new WebSocketServer({ noServer: true });
  let socket: WebSocket | undefined;
  const acks = new Map<string, (ack: { envelope_id: string; payload?: unknown }) => void>();
  server.on('upgrade', (req, duplex, head) => {
    sockets.handleUpgrade(req, duplex, head, (ws) => {
      socket = ws;
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
        if (message.envelope_id)
          acks.get(message.envelope_id)?.({ envelope_id: message.envelope_id, payload: message.payload });
      });
      ws.send(
        JSON.stringify({
          type: 'hello',
          num_connections: 1,
          debug_info: { host: 'emulator', approximate_connection_time: 3600 },
          connection_info: { app_id: 'AHUB' },
        }),
      );
      // Slack pings its Socket Mode clients; a client that hears nothing for 30 s reconnects.
      const pinger = setInterval(() => ws.ping(), 5_000);
      ws.on('close', () => clearInterval(pinger));
      events.emit('socket');
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const wsUrl = `ws://127.0.0.1:${port}`;

  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    waitForCall(method, match = () => true, timeoutMs = 20_000) {
      const found = calls.find((c) => c.method === method && match(c));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          events.off('call', listener);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for a matching ${method} call`));
        }, timeoutMs);
        const listener = (call: RecordedCall) => {
          if (call.method !== method || !match(call)) return;
          clearTimeout(timer);
          events.off('call', listener);
          resolve(call);
        };
        events.on('call', listener);
      });
    },
    failNext(method, failure) {
      failures.set(method, [...(failures.get(method) ?? []), failure]);
    },
    addUser(user) {
      users.set(user.id, user);
    },
    messages: (channel) => [...(channels.get(channel) ?? [])],
    seedMessage: store,
    sendEnvelope(type, payload) {
      if (!socket) return Promise.reject(new Error('no Socket Mode connection'));
      const envelopeId = randomUUID();
      const acked = new Promise<{ envelope_id: string; payload?: unknown }>((resolve) => acks.set(envelopeId, resolve));
      socket.send(
        JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== 'events_api' }),
      );
      return acked;
    },
    socketConnected() {
      return socket ? Promise.resolve() : new Promise((resolve) => events.once('socket', () => resolve()));
    },
    async close() {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseArgs(contentType: string, raw: string): Record<string, any> {
  if (!raw) return {};
  if (contentType.startsWith('application/json')) return JSON.parse(raw) as Record<string, any>;
  const args: Record<string, any> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = JSON_FIELDS.has(key) && /^[[{]/.test(value) ? JSON.parse(value) : value;
  }
  return args;
}

function send(
  res: ServerResponse,
  status: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}
