import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { HubConfig } from '../../runtime/config.js';
import type { EmailContent } from './email-templates.js';

/** The hub's SMTP connection (nodemailer), and the one way a message leaves through it. */
export interface Mailer {
  readonly from: string;
  /**
   * Sends one message. `beforeLastByte` runs when the whole message but its final line has gone out: the
   * server keeps nothing of a transaction whose end it never saw, so what is recorded there is the point
   * after which the message may exist and must not be sent again.
   */
  send(
    message: { to: string; messageId: string; content: EmailContent },
    beforeLastByte: () => Promise<void>,
  ): Promise<{ response: string }>;
  close(): void;
}

// Every attempt ends well inside the job's expiry (db/jobs.ts), so a retry never overlaps a live attempt.
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };

export function createMailer(config: Pick<HubConfig, 'SMTP_URL' | 'SMTP_FROM' | 'SMTP_REPLY_TO'>): Mailer | null {
  if (!config.SMTP_URL || !config.SMTP_FROM) return null;
  const transport = nodemailer.createTransport({ url: config.SMTP_URL, ...TIMEOUTS } as never);
  const from = config.SMTP_FROM;
  return {
    from,
    async send({ to, messageId, content }, beforeLastByte) {
      const raw = await new MailComposer({
        from,
        to,
        ...(config.SMTP_REPLY_TO ? { replyTo: config.SMTP_REPLY_TO } : {}),
        subject: content.subject,
        text: content.text,
        html: content.html,
        messageId,
      })
        .compile()
        .build();
      const info = await transport.sendMail({
        envelope: { from: addressOf(from), to: [to] },
        raw: heldBackEnd(raw, beforeLastByte),
      });
      return { response: info.response };
    },
    close: () => transport.close(),
  };
}

/** The message's bytes, its end held back until `beforeEnd` has run (and given up if it fails). */
function heldBackEnd(bytes: Buffer, beforeEnd: () => Promise<void>): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(bytes);
        return;
      }
      beforeEnd().then(
        () => this.push(null),
        (error: Error) => this.destroy(error),
      );
    },
  });
}

/** A Message-ID made from the delivery's key: any copy of one notification's e-mail carries the same one. */
export function messageIdFor(key: string, from: string): string {
  const domain = /@([^>\s]+)/.exec(from)?.[1] ?? 'ops-hub.invalid';
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 40)}@${domain}>`;
}

function addressOf(from: string): string {
  return /<([^>]+)>/.exec(from)?.[1] ?? from;
}
