import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One message as the loopback SMTP server received it, read back with mailparser. */
export interface ReceivedMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  replyTo: string | null;
  raw: string;
}

export interface TestSmtpServer {
  url: string;
  messages: ReceivedMail[];
  /** Messages to one address. */
  to(address: string): ReceivedMail[];
  /**
   * Runs once a message's last line has arrived, before the server answers: a test may kill the sender
   * there. The message is already in `messages`.
   */
  beforeAnswer: ((mail: ReceivedMail) => Promise<void>) | null;
  /** Resolves with the messages matching `match` once there are at least `count` of them. */
  waitFor(match: (mail: ReceivedMail) => boolean, count?: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  stop(): Promise<void>;
}

/** A real SMTP server (smtp-server, of the nodemailer project) on a free loopback port, keeping every message. */
export async function startTestSmtpServer(): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  const state: TestSmtpServer = {
    url: '',
    messages,
    to: (address) => messages.filter((m) => m.to.includes(address)),
    beforeAnswer: null,
    waitFor(match, count = 1, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          let found: ReceivedMail[];
          try {
            found = messages.filter(match);
          } catch (error) {
            waiters.delete(check);
            clearTimeout(timer);
            return reject(error as Error);
          }
          if (found.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${count} message(s); received: ${messages.map((m) => m.subject)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        const parsed = await simpleParser(raw);
        const mail: ReceivedMail = {
          to: session.envelope.rcptTo.map((r) => r.address),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          subject: parsed.subject ?? '',
          text: parsed.text ?? '',
          html: typeof parsed.html === 'string' ? parsed.html : '',
          messageId: parsed.messageId ?? '',
          replyTo: parsed.replyTo?.text ?? null,
          raw: raw.toString('utf8'),
        };
        messages.push(mail);
        waiters.forEach((w) => w());
        try {
          await state.beforeAnswer?.(mail);
        } finally {
          callback(null, `Queued as ${messages.length}`);
        }
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  state.url = `smtp://127.0.0.1:${port}`;
  return state;
}
