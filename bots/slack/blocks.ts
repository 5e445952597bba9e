import type { types as slack } from '@slack/bolt';
import type { SlaSnapshot } from '../../workflows/process-records.js';
import { fixed, minorUnitsOf } from '../../workflows/money.js';
import { specFor } from '../../workflows/specs.js';
import { progressOf, type ProcessSpec } from '../../workflows/process-spec.js';

/**
 * Block Kit pieces every process type's messages are made of, and the views that list several types
 * (`/hub queue`, App Home). Pure functions of what the hub knows; no Slack calls here.
 */

export type Block = slack.KnownBlock;
export type Button = slack.Button;

export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** What Slack shows of an SLA clock. */
export type SlaView = Pick<SlaSnapshot, 'status' | 'deadline' | 'paused'>;

export const OPEN_IN_BOARD = 'open_in_board';

/** mrkdwn treats &, < and > as markup; people's text must not. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack's limits on text, by where it goes (characters of the text as sent, escapes included). */
export const SLACK_LIMITS = {
  section: 3000,
  field: 2000,
  context: 2000,
  header: 150,
  fields: 10,
  message: 3000,
} as const;

const ELLIPSIS = '…';

/**
 * Cuts mrkdwn to `max` characters with an ellipsis (and a link to the whole text in the board, when there is
 * one). The text is already escaped, so it is counted as Slack counts it; the cut never splits an escape
 * (`&amp;`), a link or date token (`<…>`) or a surrogate pair.
 */
export function fitMrkdwn(text: string, max: number, moreUrl?: string): string {
  if (text.length <= max) return text;
  const more = moreUrl ? `${ELLIPSIS} <${moreUrl}|more in the board>` : ELLIPSIS;
  const suffix = more.length < max / 2 ? more : ELLIPSIS;
  let cut = Math.max(0, max - suffix.length);
  const open = text.lastIndexOf('<', cut - 1);
  if (open >= 0 && text.lastIndexOf('>', cut - 1) < open) cut = open;
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp >= 0 && amp >= cut - 5 && !text.slice(amp, cut).includes(';')) cut = amp;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut).trimEnd()}${suffix}`;
}

/** Plain text (headers, buttons) is not escaped: cut it at its limit. */
export function fitPlain(text: string, max: number): string {
  return text.length <= max ? text : `${[...text].slice(0, max - 1).join('')}${ELLIPSIS}`.slice(0, max);
}

/** Every text of the blocks within Slack's limits for its place; cut text links to `moreUrl`. */
export function fitBlocks(blocks: Block[], moreUrl?: string): Block[] {
  return blocks.map((block): Block => {
    switch (block.type) {
      case 'section':
        return {
          ...block,
          ...(block.text
            ? { text: { ...block.text, text: fitMrkdwn(block.text.text, SLACK_LIMITS.section, moreUrl) } }
            : {}),
          ...(block.fields
            ? {
                fields: block.fields
                  .slice(0, SLACK_LIMITS.fields)
                  .map((f) => ({ ...f, text: fitMrkdwn(f.text, SLACK_LIMITS.field, moreUrl) })),
              }
            : {}),
        } as Block;
      case 'context':
        return {
          ...block,
          elements: block.elements.map((e) =>
            'text' in e ? { ...e, text: fitMrkdwn(e.text, SLACK_LIMITS.context, moreUrl) } : e,
          ),
        } as Block;
      case 'header':
        return { ...block, text: { ...block.text, text: fitPlain(block.text.text, SLACK_LIMITS.header) } };
      default:
        return block;
    }
  });
}

/** A message whose every text fits Slack's limits, its notification text too. */
export function fitMessage(message: SlackMessage, moreUrl?: string): SlackMessage {
  return { text: fitMrkdwn(message.text, SLACK_LIMITS.message, moreUrl), blocks: fitBlocks(message.blocks, moreUrl) };
}

const ISO_INSTANT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g;

/** Instants written into a text (an SLA alert's deadline) shown in each reader's own time zone. */
export function slackDates(text: string): string {
  return text.replace(ISO_INSTANT, (iso) => (Number.isNaN(Date.parse(iso)) ? iso : slackDate(iso)));
}

/** Shown in each reader's own time zone by Slack; the fallback is UTC. */
export function slackDate(iso: string): string {
  const at = new Date(iso);
  const fallback = `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} at {time}|${fallback}>`;
}

export const humanize = (value: string) => value.replace(/_/g, ' ');
export const capitalize = (value: string) => value.charAt(0).toUpperCase() + value.slice(1);
export const nameOf = (names: Record<string, string>, id: string | null) => (id ? (names[id] ?? id) : 'nobody');
/** A decision line without its leading emoji, for plain sentences and notification texts. */
export const withoutEmoji = (line: string) => line.replace(/^:[a-z_]+: /, '');
export const channelName = (channel: string) => (channel === 'slack' ? 'Slack' : channel);
/** "1 order", "3 orders". */
export const counted = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** A state's label from its process type's spec. */
export function stateLabel(processType: string, status: string): string {
  return specFor(processType)?.states.find((s) => s.id === status)?.label ?? status;
}

/** An amount to its currency's minor unit, formatted from its exact decimal text: "50,000.00 USD", "1,235 JPY". */
export function formatAmount(amount: number | null, currency: string | null): string {
  if (amount === null) return 'not given yet';
  const places = currency ? minorUnitsOf(currency) : 2;
  const format = new Intl.NumberFormat('en-US', { minimumFractionDigits: places, maximumFractionDigits: places });
  const text = format.format(fixed(amount, places) as `${number}`);
  return `${text}${currency ? ` ${currency}` : ''}`;
}

export { boardUrlFor } from '../../runtime/addresses.js';

export function slaLine(sla: SlaView | null): string {
  if (!sla) return 'No SLA clock running';
  const state = sla.paused ? 'paused' : humanize(sla.status);
  return `${slackDate(sla.deadline)} (${state})`;
}

export const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text } });
export const fields = (pairs: [string, string][]): Block => ({
  type: 'section',
  fields: pairs.map(([label, value]) => ({ type: 'mrkdwn', text: `*${label}*\n${value}` })),
});
export const context = (text: string): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });
export const header = (text: string): Block => ({
  type: 'header',
  text: { type: 'plain_text', text: fitPlain(text, SLACK_LIMITS.header) },
});

export function boardButton(url: string): Button {
  return { type: 'button', action_id: OPEN_IN_BOARD, text: { type: 'plain_text', text: 'Open in board' }, url };
}

/** A button that runs a command on a process; its value is the process id. */
export interface ButtonSpec {
  actionId: string;
  label: string;
  style?: 'primary' | 'danger';
}

export function commandButton(button: ButtonSpec, processId: string): Button {
  return {
    type: 'button',
    action_id: button.actionId,
    text: { type: 'plain_text', text: button.label },
    value: processId,
    ...(button.style ? { style: button.style } : {}),
  };
}

/** A modal that asks for the reason a command needs (or may take) before it runs. */
export interface ReasonModalSpec {
  callbackId: string;
  block: string;
  input: string;
  title: string;
  submit: string;
  label: string;
  /** Said when the reason is left blank; without it the reason is optional. */
  required?: string;
  maxLength: number;
}

/** `heading` is mrkdwn; `metadata` comes back with the submission. */
export function reasonModal(spec: ReasonModalSpec, heading: string, metadata: string): slack.ModalView {
  return {
    type: 'modal',
    callback_id: spec.callbackId,
    private_metadata: metadata,
    title: { type: 'plain_text', text: spec.title },
    submit: { type: 'plain_text', text: spec.submit },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      ...fitBlocks([section(heading)]),
      {
        type: 'input',
        block_id: spec.block,
        optional: !spec.required,
        label: { type: 'plain_text', text: spec.label },
        element: {
          type: 'plain_text_input',
          action_id: spec.input,
          multiline: true,
          ...(spec.required ? { min_length: 1 } : {}),
          max_length: spec.maxLength,
        },
      },
    ],
  };
}

/** `/hub status`: where the process is, its SLA, the next step, and the caller's buttons. */
export function statusMessage(status: {
  text: string;
  headline: string;
  fields: [string, string][];
  buttons: Button[];
  boardUrl: string;
}): SlackMessage {
  return fitMessage(
    {
      text: status.text,
      blocks: [
        section(status.headline),
        fields(status.fields),
        { type: 'actions', elements: [...status.buttons, boardButton(status.boardUrl)] },
      ],
    },
    status.boardUrl,
  );
}

/** One decision waiting for the person, as `/hub queue` and the App Home list it. */
export interface PendingItem {
  processType: string;
  processId: string;
  /** mrkdwn: what it is, how much, its flags and SLA. */
  text: string;
  buttons: Button[];
  boardUrl: string;
  assignedToCaller: boolean;
  waitingSince: string;
}

/** The person's pending decisions, in sections by process type (only the types their role decides on). */
export interface PendingWork {
  sections: { processType: string; title: string; nothing: string; items: PendingItem[] }[];
  /** How many more there are than the lists show (the board has them all). */
  more: number;
}

const countOf = (work: PendingWork) => work.sections.reduce((sum, s) => sum + s.items.length, 0) + work.more;

export function pendingBlocks(work: PendingWork): Block[] {
  if (work.sections.length === 0) return [section('Nothing in the hub awaits your approval.')];
  const blocks = work.sections.flatMap((s): Block[] => [
    context(`*${s.title}* (${s.items.length})`),
    ...(s.items.length === 0
      ? [section(s.nothing)]
      : s.items.flatMap((item): Block[] => [
          section(item.text),
          {
            type: 'actions',
            block_id: `pending:${item.processId}`,
            elements: [...item.buttons, boardButton(item.boardUrl)],
          },
        ])),
  ]);
  if (work.more) blocks.push(context(`…and ${work.more} more on the board.`));
  return blocks;
}

export function queueMessage(work: PendingWork): SlackMessage {
  const count = countOf(work);
  return fitMessage({
    text: count ? `${count} decision(s) await you` : 'Nothing awaits your approval',
    blocks: [section(`*Your pending approvals* (${count})`), ...pendingBlocks(work)],
  });
}

export interface BreachedProcess {
  process_id: string;
  process_type: string;
  title: string;
  status: string;
  sla: SlaView;
  boardUrl: string;
}

export function homeView(userName: string, pending: PendingWork, breached: BreachedProcess[]): slack.HomeView {
  return {
    type: 'home',
    blocks: fitBlocks([
      header(`Ops hub for ${userName}`),
      section(`*Pending approvals* (${countOf(pending)})`),
      ...pendingBlocks(pending),
      { type: 'divider' },
      section(`*Breached SLAs* (${breached.length})`),
      ...(breached.length
        ? breached.map((p) =>
            section(
              `:rotating_light: *<${p.boardUrl}|${esc(p.title)}>* · ${stateLabel(p.process_type, p.status)} · deadline ${slackDate(p.sla.deadline)}`,
            ),
          )
        : [section('No breached SLAs.')]),
    ]),
  };
}

/** `reason` is mrkdwn. */
export function notLinkedHomeView(reason: string): slack.HomeView {
  return { type: 'home', blocks: [section(`:lock: ${reason}`)] };
}

const ALERT_ICONS: Record<string, string> = {
  sla_warning: ':hourglass_flowing_sand:',
  sla_breached: ':rotating_light:',
  sla_escalated: ':arrow_double_up:',
  mention: ':speech_balloon:',
  query_assigned: ':question:',
  assignment: ':inbox_tray:',
  rebalance_compliance_needed: ':inbox_tray:',
  rebalance_approved: ':white_check_mark:',
  rebalance_completed: ':white_check_mark:',
  rebalance_declined: ':x:',
  rebalance_edited: ':pencil2:',
  rebalance_failed: ':warning:',
};

/** An SLA alert or a personal notification, with the way to the process. */
export function notificationMessage(
  notification: { kind: string; title: string; body: string },
  processTitle: string | null,
  boardUrl: string | null,
): SlackMessage {
  const icon = ALERT_ICONS[notification.kind] ?? ':bell:';
  const link = boardUrl ? `\n<${boardUrl}|Open ${esc(processTitle ?? 'the process')} in the board>` : '';
  const title = slackDates(esc(notification.title));
  const body = fitMrkdwn(
    slackDates(esc(notification.body)),
    SLACK_LIMITS.section - title.length - link.length - 10,
    boardUrl ?? undefined,
  );
  return fitMessage(
    { text: `${title}: ${body}`, blocks: [section(`${icon} *${title}*\n${body}${link}`)] },
    boardUrl ?? undefined,
  );
}

/** What `/hub status` answers: a line for notifications, the headline, and label–value fields. */
export interface StatusReply {
  text: string;
  headline: string;
  fields: [string, string][];
}

/**
 * `/hub status` for any process type: its client and id in the text, "step n of m" on the happy path, the
 * SLA, then the lines of its own (the amount, the proposal value, the next step or the decision).
 */
export function statusReply<S extends string>(
  spec: ProcessSpec<S>,
  happyPath: readonly S[],
  at: { processId: string; clientName: string; status: S; sla: SlaView | null },
  own: { headline: string; fields: [string, string][] },
): StatusReply {
  const progress = progressOf(spec, at.status, happyPath);
  const step = progress.step ? ` (step ${progress.step} of ${progress.of})` : '';
  return {
    text: `${esc(at.clientName)} (${at.processId}): ${progress.label}`,
    headline: own.headline,
    fields: [['Status', `${progress.label}${step}`], ['SLA', slaLine(at.sla)], ...own.fields],
  };
}

/** The end of a decision message: the decision once made, then the buttons still open and the board link. */
export function decisionBlocks(
  decided: string | null,
  actions: { blockId: string; processId: string; buttons: ButtonSpec[]; boardUrl: string },
): Block[] {
  return [
    ...(decided ? [{ type: 'divider' } as Block, section(decided)] : []),
    {
      type: 'actions',
      block_id: actions.blockId,
      elements: [...actions.buttons.map((b) => commandButton(b, actions.processId)), boardButton(actions.boardUrl)],
    },
  ];
}
