import type { NotificationLanguage } from '../../db/notification-preferences.js';
import { NOTIFICATION_TOPICS, topicOf } from '../../workflows/notification-policy.js';

/**
 * One template per notification kind, rendered as plain text and as HTML from the same lines. The client's
 * messages (approved, rejected, account created) are written from the application's own client-facing
 * fields only, never from the notification's text, so nothing internal can reach a client's inbox.
 */

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

export interface EmailFacts {
  kind: string;
  /** The notification as the bell shows it. */
  title: string;
  body: string;
  recipient_name: string;
  process_title: string | null;
  /** The process's recorded fields (an application's account type, rejection reason, account number). */
  process: Record<string, unknown>;
  board_url: string | null;
}

interface Template {
  subject: (f: EmailFacts) => string;
  lines: (f: EmailFacts) => string[];
}

const field = (f: EmailFacts, name: string) => String(f.process[name] ?? '');

/** A staff notification's own words, under a subject that says what kind it is. */
const staff =
  (prefix: string): Template['subject'] =>
  (f) =>
    `${prefix}: ${f.title}`;
const staffLines: Template['lines'] = (f) => [f.body, ...(f.process_title ? [`Process: ${f.process_title}`] : [])];

const CLIENT_TEMPLATES: Record<string, Record<NotificationLanguage, Template>> = {
  application_approved: {
    en: {
      subject: () => 'Your account application was approved',
      lines: (f) => [
        `Your ${field(f, 'account_type')} account application has been approved.`,
        'We are now opening your investment account and will write to you again as soon as it is ready.',
      ],
    },
    fr: {
      subject: () => 'Votre demande d’ouverture de compte a été approuvée',
      lines: (f) => [
        `Votre demande d’ouverture de compte (${field(f, 'account_type')}) a été approuvée.`,
        'Nous ouvrons maintenant votre compte d’investissement et vous écrirons dès qu’il sera prêt.',
      ],
    },
  },
  application_rejected: {
    en: {
      subject: () => 'Your account application was not approved',
      lines: (f) => [
        `Your ${field(f, 'account_type')} account application was not approved.`,
        `Reason: ${field(f, 'rejection_reason')}`,
        'Your advisor can tell you more and help you with a new application.',
      ],
    },
    fr: {
      subject: () => 'Votre demande d’ouverture de compte n’a pas été approuvée',
      lines: (f) => [
        `Votre demande d’ouverture de compte (${field(f, 'account_type')}) n’a pas été approuvée.`,
        `Motif : ${field(f, 'rejection_reason')}`,
        'Votre conseiller peut vous en dire plus et vous aider pour une nouvelle demande.',
      ],
    },
  },
  account_created: {
    en: {
      subject: () => 'Your investment account is open',
      lines: (f) => [
        `Your ${field(f, 'account_type')} investment account has been created.`,
        `Account number: ${field(f, 'account_number')}`,
      ],
    },
    fr: {
      subject: () => 'Votre compte d’investissement est ouvert',
      lines: (f) => [
        `Votre compte d’investissement (${field(f, 'account_type')}) a été créé.`,
        `Numéro de compte : ${field(f, 'account_number')}`,
      ],
    },
  },
};

const STAFF_SUBJECTS: Record<string, string> = {
  sla_warning: 'SLA warning',
  sla_breached: 'SLA breached',
  sla_escalated: 'SLA escalation',
  mention: 'You were mentioned',
  query_assigned: 'Query assigned to you',
  assignment: 'Assigned to you',
  second_approval_needed: 'Second approval needed',
  status_overridden: 'Status overridden',
  rebalance_proposed: 'Rebalance proposed',
  rebalance_edited: 'Rebalance edited',
  rebalance_compliance_needed: 'Rebalance needs compliance',
  rebalance_approved: 'Rebalance approved',
  rebalance_declined: 'Rebalance declined',
  rebalance_completed: 'Rebalance completed',
  rebalance_failed: 'Rebalance failed',
  application_submitted: 'Application submitted',
  suitability_warning: 'Suitability warning',
  crm_failure: 'CRM failure',
};

const GREETING: Record<NotificationLanguage, (name: string) => string> = {
  en: (name) => `Dear ${name},`,
  fr: (name) => `Bonjour ${name},`,
};
const OPEN_LINK: Record<NotificationLanguage, string> = { en: 'Open it on the board', fr: 'Voir sur le tableau' };
const DIGEST_SUBJECT: Record<NotificationLanguage, (n: number) => string> = {
  en: (n) => `Your daily digest: ${n} notification${n === 1 ? '' : 's'}`,
  fr: (n) => `Votre résumé du jour : ${n} notification${n === 1 ? '' : 's'}`,
};

export function templateFor(kind: string, language: NotificationLanguage): Template {
  const client = CLIENT_TEMPLATES[kind];
  if (client) return client[language] ?? client.en;
  const prefix = STAFF_SUBJECTS[kind] ?? NOTIFICATION_TOPICS[topicOf(kind)].label;
  return { subject: staff(prefix), lines: staffLines };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function compose(
  subject: string,
  greeting: string,
  blocks: { lines: string[]; link: string | null }[],
  language: NotificationLanguage,
): EmailContent {
  const text = [
    greeting,
    '',
    ...blocks.flatMap((b) => [...b.lines, ...(b.link ? [`${OPEN_LINK[language]}: ${b.link}`] : []), '']),
  ].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family: sans-serif; line-height: 1.4">',
    `<p>${escapeHtml(greeting)}</p>`,
    ...blocks.map(
      (b) =>
        `<div>${b.lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}` +
        (b.link ? `<p><a href="${escapeHtml(b.link)}">${escapeHtml(OPEN_LINK[language])}</a></p>` : '') +
        '</div>',
    ),
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}

export function renderNotificationEmail(facts: EmailFacts, language: NotificationLanguage): EmailContent {
  const template = templateFor(facts.kind, language);
  return compose(
    template.subject(facts),
    GREETING[language](facts.recipient_name),
    [{ lines: template.lines(facts), link: facts.board_url }],
    language,
  );
}

/** One message for a day's held notifications, each as its own template renders it. */
export function renderDigestEmail(
  recipientName: string,
  items: EmailFacts[],
  language: NotificationLanguage,
): EmailContent {
  return compose(
    DIGEST_SUBJECT[language](items.length),
    GREETING[language](recipientName),
    items.map((facts) => {
      const template = templateFor(facts.kind, language);
      return { lines: [template.subject(facts), ...template.lines(facts)], link: facts.board_url };
    }),
    language,
  );
}
