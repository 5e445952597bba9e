import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CrmAccountRequest } from '../../workers/crm/crm.js';

export interface CrmCall {
  idempotency_key: string | null;
  request: CrmAccountRequest;
  /** The HTTP status the CRM answered. */
  status: number;
  /** Whether this call booked a new account (a replay of a key books nothing). */
  booked: boolean;
}

/**
 * A CRM on loopback that speaks the HTTP adapter's wire format (POST /accounts, Idempotency-Key) and can be
 * told to fail: `failNext(n)` answers the next n calls 503 without booking; `loseNextAnswers(n)` books the
 * account and then answers 502, as when the answer is lost on the way back.
 */
export interface TestCrm {
  url: string;
  calls: CrmCall[];
  /** Account numbers by idempotency key: what the CRM has booked. */
  accounts: Map<string, string>;
  failNext(count: number, status?: number): void;
  loseNextAnswers(count: number, status?: number): void;
  /** Keeps the next call waiting (an activity in flight) until `release`; `arrived` resolves when it comes. */
  holdNext(): { arrived: Promise<void>; release(): void };
  /** Resolves once `count` calls for this idempotency key have been answered. */
  waitForCalls(key: string, count: number, timeoutMs?: number): Promise<CrmCall[]>;
  stop(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startTestCrm(): Promise<TestCrm> {
  const calls: CrmCall[] = [];
  const accounts = new Map<string, string>();
  const answered = new EventEmitter();
  let failures = { count: 0, status: 503 };
  let lostAnswers = { count: 0, status: 502 };
  let nextNumber = 1;
  let hold: { arrive(): void; released: Promise<void> } | undefined;

  const server = createServer(async (request, response) => {
    const reply = (status: number, body: object) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (request.method !== 'POST' || request.url !== '/accounts') return reply(404, { error: 'not found' });
    const key = request.headers['idempotency-key'];
    const idempotencyKey = typeof key === 'string' && key !== '' ? key : null;
    let body: CrmAccountRequest;
    try {
      body = JSON.parse(await readBody(request)) as CrmAccountRequest;
    } catch {
      return reply(400, { error: 'body is not JSON' });
    }
    const record = (status: number, booked: boolean) => {
      const call = { idempotency_key: idempotencyKey, request: body, status, booked };
      calls.push(call);
      answered.emit('call', call);
    };
    if (!idempotencyKey) {
      record(400, false);
      return reply(400, { error: 'Idempotency-Key is required' });
    }
    if (hold) {
      const { arrive, released } = hold;
      hold = undefined;
      arrive();
      await released;
    }
    if (failures.count > 0) {
      failures.count -= 1;
      record(failures.status, false);
      return reply(failures.status, { error: 'CRM temporarily unavailable' });
    }
    const existing = accounts.get(idempotencyKey);
    const accountNumber = existing ?? `CRM-${String(nextNumber++).padStart(6, '0')}`;
    if (!existing) accounts.set(idempotencyKey, accountNumber);
    if (lostAnswers.count > 0) {
      lostAnswers.count -= 1;
      record(lostAnswers.status, !existing);
      return reply(lostAnswers.status, { error: 'bad gateway' });
    }
    record(existing ? 200 : 201, !existing);
    return reply(existing ? 200 : 201, { account_number: accountNumber });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    accounts,
    failNext(count, status = 503) {
      failures = { count, status };
    },
    loseNextAnswers(count, status = 502) {
      lostAnswers = { count, status };
    },
    holdNext() {
      let arrive = () => {};
      let release = () => {};
      const arrived = new Promise<void>((resolve) => (arrive = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      hold = { arrive, released };
      return { arrived, release };
    },
    waitForCalls(key, count, timeoutMs = 30_000) {
      const seen = () => calls.filter((c) => c.idempotency_key === key);
      if (seen().length >= count) return Promise.resolve(seen());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          answered.off('call', check);
          reject(new Error(`timed out waiting for ${count} CRM calls for ${key}; saw ${seen().length}`));
        }, timeoutMs);
        function check() {
          if (seen().length < count) return;
          clearTimeout(timer);
          answered.off('call', check);
          resolve(seen());
        }
        answered.on('call', check);
      });
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
