import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface SinkMail {
  to: string;
  messageId: string;
  /** How long the sink took to answer the end of DATA. */
  answeredInMs: number;
}

/**
 * An SMTP server that counts what it accepted, per recipient, and answers as slowly as told:
 * `delayMs(n)` for the n-th message (0-based) is the wait before its 250 reply, the way a busy
 * server holds a client at the end of DATA. A message whose connection closes before the reply
 * is still counted: the server has it, as a real one would.
 */
export async function startMailSink(options: { delayMs?: (index: number) => number } = {}) {
  const mails: SinkMail[] = [];
  let index = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    closeTimeout: 200,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const head = Buffer.concat(chunks).toString('latin1').split('\r\n\r\n')[0] ?? '';
        const messageId = /^message-id:\s*(\S+)/im.exec(head)?.[1] ?? '';
        const wait = options.delayMs?.(index) ?? 0;
        index += 1;
        for (const recipient of session.envelope.rcptTo)
          mails.push({ to: recipient.address, messageId, answeredInMs: wait });
        setTimeout(() => callback(null, `OK: queued as S${index}`), wait);
      });
    },
  });
  // A client killed mid-transaction resets its connection: for this server that is no error.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    /** How many mails each recipient got. */
    perRecipient(): Map<string, number> {
      const counts = new Map<string, number>();
      for (const mail of mails) counts.set(mail.to, (counts.get(mail.to) ?? 0) + 1);
      return counts;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type MailSink = Awaited<ReturnType<typeof startMailSink>>;
