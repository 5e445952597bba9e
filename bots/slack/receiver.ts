import { ReceiverMultipleAckError, verifySlackRequest, type App, type Receiver, type ReceiverEvent } from '@slack/bolt';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from '../../runtime/logger.js';
import type { HubEnv } from '../../hub/context.js';
import { errorBody } from '../../hub/errors.js';
import { HubError } from '../../workflows/errors.js';

/** Slack refuses requests older than this, and so do we: a captured request cannot be replayed later. */
const MAX_REQUEST_AGE_SECONDS = 5 * 60;
/** Slack gives up on an answer after 3 seconds; a listener that never acknowledges must not hold the connection. */
const ACK_TIMEOUT_MS = 10_000;
const MAX_BODY_BYTES = 1024 * 1024;

export const SLACK_PATHS = ['/slack/events', '/slack/interactivity', '/slack/commands'] as const;

type SlackBody = Record<string, unknown>;

/**
 * Bolt's receiver for HTTP mode, served by the hub's own Hono server: it verifies Slack's signature and
 * timestamp, hands the request to Bolt, and answers with whatever the listener acknowledged. A request
 * that fails verification is refused with 401 before anything is parsed or processed.
 */
export class HonoSlackReceiver implements Receiver {
  private app?: App;

  constructor(private readonly options: { signingSecret: string; log: Logger }) {}

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  /** The endpoints to mount on the hub's server. Events, interactivity and commands all take the same path in. */
  routes() {
    const routes = new Hono<HubEnv>();
    routes.use(
      '/slack/*',
      bodyLimit({
        maxSize: MAX_BODY_BYTES,
        onError: () => {
          throw new HubError('PAYLOAD_TOO_LARGE');
        },
      }),
    );
    for (const path of SLACK_PATHS) routes.post(path, (c) => this.handle(c.req.raw));
    return routes;
  }

  async handle(request: Request): Promise<Response> {
    const app = this.app;
    if (!app) throw new HubError('SERVICE_UNAVAILABLE', 'The Slack bot is not ready');
    const rawBody = await request.text();
    this.verify(request.headers, rawBody);

    const body = parseBody(request.headers.get('content-type') ?? '', rawBody);
    if (body.ssl_check === '1') return new Response(null, { status: 200 });
    if (body.type === 'url_verification') return Response.json({ challenge: body.challenge });

    let acknowledged = false;
    let answer: (response: Response) => void = () => {};
    const answered = new Promise<Response>((resolve) => (answer = resolve));
    const event: ReceiverEvent = {
      body,
      retryNum: numberHeader(request.headers.get('x-slack-retry-num')),
      retryReason: request.headers.get('x-slack-retry-reason') ?? undefined,
      ack: async (response?: unknown) => {
        if (acknowledged) throw new ReceiverMultipleAckError();
        acknowledged = true;
        answer(toResponse(response));
      },
    };
    // Listeners acknowledge first and work on; the answer goes out at the acknowledgement, not at the end.
    app.processEvent(event).then(
      () => {
        if (!acknowledged)
          answer(errorResponse(new HubError('NOT_FOUND', 'Nothing in the hub handles this Slack request')));
      },
      (error: unknown) => {
        this.options.log.error({ err: error }, 'a Slack request failed');
        if (!acknowledged) answer(errorResponse(new HubError('INTERNAL_ERROR')));
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<Response>((resolve) => {
      timer = setTimeout(
        () =>
          resolve(errorResponse(new HubError('SERVICE_UNAVAILABLE', 'The Slack request was not acknowledged in time'))),
        ACK_TIMEOUT_MS,
      );
    });
    try {
      return await Promise.race([answered, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private verify(headers: Headers, rawBody: string): void {
    const signature = headers.get('x-slack-signature');
    const timestamp = Number(headers.get('x-slack-request-timestamp'));
    if (!signature || !Number.isInteger(timestamp)) throw new HubError('UNAUTHENTICATED', 'Not a signed Slack request');
    // Bolt's check refuses old timestamps; one from the future is as suspicious.
    if (Math.abs(Date.now() / 1000 - timestamp) > MAX_REQUEST_AGE_SECONDS) {
      throw new HubError('UNAUTHENTICATED', 'The Slack request timestamp is more than 5 minutes away from now');
    }
    try {
      verifySlackRequest({
        signingSecret: this.options.signingSecret,
        body: rawBody,
        headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
      });
    } catch {
      throw new HubError('UNAUTHENTICATED', 'The Slack request signature does not match');
    }
  }
}

/** Interactivity comes as `payload=<json>`, slash commands as form fields, events as JSON. */
function parseBody(contentType: string, rawBody: string): SlackBody {
  try {
    if (contentType.startsWith('application/x-www-form-urlencoded')) {
      const form = new URLSearchParams(rawBody);
      const payload = form.get('payload');
      if (payload !== null) return asObject(JSON.parse(payload));
      return Object.fromEntries(form);
    }
    return asObject(JSON.parse(rawBody));
  } catch (error) {
    if (error instanceof HubError) throw error;
    throw new HubError('VALIDATION_FAILED', 'The Slack request body is not valid JSON or form data');
  }
}

function asObject(value: unknown): SlackBody {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new HubError('VALIDATION_FAILED', 'The Slack request body is not an object');
  return value as SlackBody;
}

function numberHeader(value: string | null): number | undefined {
  const n = value === null ? Number.NaN : Number.parseInt(value, 10);
  return Number.isNaN(n) ? undefined : n;
}

function toResponse(body: unknown): Response {
  if (body === undefined || body === null || body === '') return new Response(null, { status: 200 });
  if (typeof body === 'string')
    return new Response(body, { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  return Response.json(body);
}

function errorResponse(error: HubError): Response {
  return Response.json(errorBody(error), { status: error.status });
}
