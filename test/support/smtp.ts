import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  headers: Record<string, string>;
  /** The body with quoted-printable decoded (our mails are text/plain). */
  text: string;
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0) headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
  }
  return headers;
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

function parse(raw: string, from: string, to: string[]): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const headers = parseHeaders(raw.slice(0, split));
  const body = raw.slice(split + 4);
  const encoding = headers['content-transfer-encoding']?.toLowerCase();
  const text =
    encoding === 'quoted-printable'
      ? decodeQuotedPrintable(body)
      : encoding === 'base64'
        ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
        : body;
  return { from, to, raw, headers, text };
}

/**
 * A real SMTP server on a free loopback port, for tests that send mail. `reject` makes it refuse
 * every message with that reply code (4xx: try again later; 5xx: permanent).
 */
export async function startSmtpServer(options: { reject?: number } = {}) {
  const received: ReceivedMail[] = [];
  let rejectCode = options.reject;
  let refused = 0;
  let queued = 0;
  /** While holding, a received message waits for its reply (a slow server) until release(). */
  let holding = false;
  const held: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    // The app's pooled connection may still be open when a test closes the server; a test server
    // owes it no 30-second grace period.
    closeTimeout: 200,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (rejectCode) {
          refused += 1;
          const error = Object.assign(new Error('refused by the test server'), { responseCode: rejectCode });
          callback(error);
          return;
        }
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const to = session.envelope.rcptTo.map((recipient) => recipient.address);
        received.push(parse(Buffer.concat(chunks).toString('latin1'), from, to));
        queued += 1;
        // Like a real MTA, the reply names the queue id the message got.
        const reply = () => callback(null, `OK: queued as Q${queued}`);
        if (holding) held.push(reply);
        else reply();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    get refused() {
      return refused;
    },
    reject(code: number | undefined) {
      rejectCode = code;
    },
    /** From now on, receives messages but answers none until release() (the sender waits for its 250). */
    hold() {
      holding = true;
    },
    /** Answers new messages at once again; those held so far stay unanswered until release(). */
    resume() {
      holding = false;
    },
    /** Answers every held message. */
    release() {
      holding = false;
      for (const reply of held.splice(0)) reply();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type TestSmtpServer = Awaited<ReturnType<typeof startSmtpServer>>;
