import type { Transporter } from 'nodemailer';
import { lazyImport } from '../lazy-import.js';
import type { OutgoingMail, SendOutcome, SmtpClient } from './smtp-client.contract.js';

/** nodemailer (~25MB once loaded) only when there is mail to send over SMTP. */
const nodemailer = lazyImport('nodemailer', async () => (await import('nodemailer')).default);

/**
 * RFC 5321 §4.5.3.2.6: a client should wait 10 minutes for the reply to the end of DATA. A client
 * that gives up earlier, on a server that then queues the mail, sends it again on the next attempt.
 */
export const END_OF_DATA_WAIT_MS = 10 * 60_000;

export interface NodemailerClientOptions {
  /** Pooled connections to the server (nodemailer sends one mail at a time per connection). */
  connections?: number;
  /** How long a connection may stay silent, the wait for the end-of-DATA reply included. */
  socketTimeoutMs?: number;
}

/** A code for the outbox and the logs: never the server's message, which may quote addresses. */
export function errorCode(error: unknown): string {
  const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown };
  const name = typeof code === 'string' ? code : 'error';
  const reply = typeof responseCode === 'number' ? `:${responseCode}` : '';
  return `smtp:${name}${reply}`.replace(/[^A-Za-z0-9_:.-]/g, '').slice(0, 120);
}

/** The outcome of a failed send: an SMTP 5xx reply is a refusal that retrying will not change. */
export function failureOf(error: unknown): SendOutcome {
  const { responseCode } = (error ?? {}) as { responseCode?: unknown };
  const code = errorCode(error);
  if (typeof responseCode !== 'number') return { ok: false, code, permanent: false };
  return { ok: false, code, responseCode, permanent: responseCode >= 500 && responseCode < 600 };
}

/**
 * The SmtpClient over nodemailer's pooled transport: simple and widely used, one mail per
 * connection at a time (no pipelining across mails). The pool is made on the first batch, so a
 * process that never sends mail never loads the library.
 */
export function createNodemailerClient(url: string, options: NodemailerClientOptions = {}): SmtpClient {
  let transport: Transporter | null = null;
  async function pool(): Promise<Transporter> {
    const { createTransport } = await nodemailer();
    transport ??= createTransport({
      url,
      pool: true,
      maxConnections: options.connections ?? 4,
      // Each pooled connection sends this many mails, then is replaced (nodemailer's default is 100).
      maxMessages: 1000,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: options.socketTimeoutMs ?? END_OF_DATA_WAIT_MS + 30_000,
    });
    return transport;
  }

  async function sendOne(smtp: Transporter, mail: OutgoingMail): Promise<SendOutcome> {
    try {
      const info = await smtp.sendMail({
        messageId: mail.messageId,
        from: mail.from,
        to: mail.to,
        ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
        subject: mail.subject,
        text: mail.text,
        ...(mail.html ? { html: mail.html } : {}),
        headers: mail.headers,
      });
      return { ok: true, response: typeof info.response === 'string' ? info.response : '' };
    } catch (error) {
      return failureOf(error);
    }
  }

  return {
    async sendBatch(mails) {
      if (mails.length === 0) return [];
      let smtp: Transporter;
      try {
        smtp = await pool();
      } catch (error) {
        // The library did not load: nothing was sent, every mail of the batch is due again.
        return mails.map(() => ({ ok: false as const, code: errorCode(error), permanent: false }));
      }
      // The pool queues what its connections cannot take yet; outcomes come back in input order.
      return Promise.all(mails.map((mail) => sendOne(smtp, mail)));
    },
    async close() {
      transport?.close();
      transport = null;
    },
  };
}
