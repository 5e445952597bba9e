import { createHmac, randomUUID } from 'node:crypto';
import { startTestHub, type TestHub } from './hub.js';
import { startSlackEmulator, type EmulatedUser, type RecordedCall, type SlackEmulator } from './slack-emulator.js';

/** Requests to the hub as Slack sends them: signed with the app's signing secret, in Slack's body formats. */

export const SLACK_BOT_TOKEN = 'xoxb-test-hub-bot';
export const SLACK_APP_TOKEN = 'xapp-test-hub-app';
export const SLACK_SIGNING_SECRET = 'test-signing-secret-8f3a2c';
export const COMPLIANCE_CHANNEL = 'CCOMPLIANCE';
export const MANAGERS_CHANNEL = 'CMANAGERS';

/** Slack accounts of the demo firm, plus one stranger whose e-mail is nobody's in the hub. */
export const SLACK_USERS: EmulatedUser[] = [
  { id: 'UCARLA', name: 'carla', email: 'carla.compliance@hub.example' },
  { id: 'UCOLIN', name: 'colin', email: 'colin.compliance@hub.example' },
  { id: 'UHELEN', name: 'helen', email: 'helen.head@hub.example' },
  { id: 'UALEX', name: 'alex', email: 'alex.advisor@hub.example' },
  { id: 'UMAYA', name: 'maya', email: 'maya.manager@hub.example' },
  { id: 'UADA', name: 'ada', email: 'ada.admin@hub.example' },
  { id: 'USTRANGER', name: 'stranger', email: 'stranger@elsewhere.example' },
];

export interface SlackTestHub {
  hub: TestHub;
  slack: SlackEmulator;
  stop(): Promise<void>;
}

/** A test hub whose bot talks to an emulator (HTTP mode unless told otherwise). */
export async function startSlackTestHub(
  options: { mode?: 'http' | 'socket'; env?: Record<string, string> } = {},
): Promise<SlackTestHub> {
  const slack = await startSlackEmulator({ botToken: SLACK_BOT_TOKEN, appToken: SLACK_APP_TOKEN, users: SLACK_USERS });
  const hub = await startTestHub({
    env: {
      SLACK_BOT_TOKEN,
      ...(options.mode === 'socket' ? { SLACK_APP_TOKEN } : { SLACK_SIGNING_SECRET }),
      SLACK_API_URL: slack.apiUrl,
      SLACK_COMPLIANCE_CHANNEL: COMPLIANCE_CHANNEL,
      SLACK_MANAGERS_CHANNEL: MANAGERS_CHANNEL,
      ...options.env,
    },
  });
  return {
    hub,
    slack,
    async stop() {
      await hub.stop();
      await slack.close();
    },
  };
}

export function signSlackRequest(
  body: string,
  options: { secret?: string; timestamp?: number } = {},
): Record<string, string> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', options.secret ?? SLACK_SIGNING_SECRET)
    .update(`v0:${timestamp}:${body}`)
    .digest('hex')}`;
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature };
}

export interface SlackAnswer {
  status: number;
  body: any;
}

/** POSTs a signed body to one of the hub's Slack endpoints and reads the answer (JSON, text or empty). */
export async function postToSlackEndpoint(
  hub: TestHub,
  path: '/slack/events' | '/slack/interactivity' | '/slack/commands',
  body: string,
  options: { contentType?: string; secret?: string; timestamp?: number; headers?: Record<string, string> } = {},
): Promise<SlackAnswer> {
  const response = await fetch(`${hub.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
      ...signSlackRequest(body, options),
      ...options.headers,
    },
    body,
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // Plain text answers stay text.
  }
  return { status: response.status, body: parsed };
}

export const interactionBody = (payload: Record<string, unknown>) =>
  `payload=${encodeURIComponent(JSON.stringify(payload))}`;

export function postInteraction(
  hub: TestHub,
  payload: Record<string, unknown>,
  options: { secret?: string; timestamp?: number } = {},
) {
  return postToSlackEndpoint(hub, '/slack/interactivity', interactionBody(payload), options);
}

/** A click on a button of a message in a channel, as Slack's block_actions payload carries it. */
export function buttonClick(options: {
  user: string;
  actionId: string;
  value: string;
  channel?: string;
  messageTs?: string;
  view?: Record<string, unknown>;
}) {
  const actionTs = `${Math.floor(Date.now() / 1000)}.${randomUUID().replace(/\D/g, '').slice(0, 6).padEnd(6, '0')}`;
  return {
    type: 'block_actions',
    team: { id: 'THUB', domain: 'hub-test' },
    user: { id: options.user, username: options.user.toLowerCase(), name: options.user.toLowerCase(), team_id: 'THUB' },
    api_app_id: 'AHUB',
    token: 'legacy-verification-token',
    trigger_id: `trigger-${randomUUID()}`,
    response_url: 'https://hooks.slack.invalid/actions/unused',
    container: options.view
      ? { type: 'view', view_id: 'VHOME' }
      : {
          type: 'message',
          message_ts: options.messageTs ?? '1.000001',
          channel_id: options.channel ?? COMPLIANCE_CHANNEL,
          is_ephemeral: false,
        },
    ...(options.view
      ? { view: options.view }
      : { channel: { id: options.channel ?? COMPLIANCE_CHANNEL, name: 'compliance' } }),
    ...(options.messageTs ? { message: { type: 'message', ts: options.messageTs, text: '' } } : {}),
    actions: [
      {
        type: 'button',
        action_id: options.actionId,
        block_id: 'application',
        value: options.value,
        action_ts: actionTs,
        text: { type: 'plain_text', text: 'x' },
      },
    ],
  };
}

/** A reason modal (as views.open received it) submitted with the given reason in its input. */
export function reasonSubmission(options: {
  user: string;
  view: { id?: string; callback_id: string; private_metadata: string; blocks?: any[] };
  reason: string;
}) {
  const input = options.view.blocks?.find((block) => block.type === 'input');
  if (!input) throw new Error('the modal has no input block');
  return {
    type: 'view_submission',
    team: { id: 'THUB', domain: 'hub-test' },
    user: { id: options.user, username: options.user.toLowerCase(), name: options.user.toLowerCase(), team_id: 'THUB' },
    api_app_id: 'AHUB',
    token: 'legacy-verification-token',
    trigger_id: `trigger-${randomUUID()}`,
    view: {
      id: options.view.id ?? `V${randomUUID().slice(0, 8).toUpperCase()}`,
      type: 'modal',
      callback_id: options.view.callback_id,
      private_metadata: options.view.private_metadata,
      team_id: 'THUB',
      app_id: 'AHUB',
      bot_id: 'BHUBBOT',
      hash: 'h',
      blocks: [],
      state: {
        values: {
          [input.block_id]: { [input.element.action_id]: { type: 'plain_text_input', value: options.reason } },
        },
      },
    },
  };
}

export function slashCommandBody(options: { user: string; text: string; channel?: string }) {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: 'THUB',
    team_domain: 'hub-test',
    channel_id: options.channel ?? COMPLIANCE_CHANNEL,
    channel_name: 'compliance',
    user_id: options.user,
    user_name: options.user.toLowerCase(),
    command: '/hub',
    text: options.text,
    api_app_id: 'AHUB',
    response_url: 'https://hooks.slack.invalid/commands/unused',
    trigger_id: `trigger-${randomUUID()}`,
  }).toString();
}

export function eventCallback(event: Record<string, unknown>) {
  return JSON.stringify({
    token: 'legacy-verification-token',
    team_id: 'THUB',
    api_app_id: 'AHUB',
    type: 'event_callback',
    event_id: `Ev${randomUUID().slice(0, 10)}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: 'THUB', user_id: 'UHUBBOT', is_bot: true }],
    event,
  });
}

/** Every text of a Block Kit message, joined: what a reader sees, for assertions. */
export function blocksText(blocks: any[] | undefined): string {
  const texts: string[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node && typeof node === 'object') {
      const object = node as Record<string, unknown>;
      if (typeof object.text === 'string') texts.push(object.text);
      for (const [key, value] of Object.entries(object)) if (key !== 'text' || typeof value !== 'string') visit(value);
    }
  };
  visit(blocks);
  return texts.join('\n');
}

/** The buttons of a Block Kit message: action id → value or url. */
export function buttonsOf(blocks: any[] | undefined): Record<string, string> {
  const buttons: Record<string, string> = {};
  for (const block of blocks ?? []) {
    if (block.type !== 'actions') continue;
    for (const element of block.elements) buttons[element.action_id] = element.value ?? element.url;
  }
  return buttons;
}

/** The hub's delivery key a message was posted with (its metadata). */
export const deliveryKeyOf = (call: RecordedCall) =>
  call.args.metadata?.event_payload?.dedupe_key as string | undefined;

/** The approval message's first post for an application. */
export function approvalPost(slack: SlackEmulator, applicationId: string) {
  return slack.waitForCall(
    'chat.postMessage',
    (call) => deliveryKeyOf(call) === `application-message:${applicationId}` && call.status === 200,
  );
}
