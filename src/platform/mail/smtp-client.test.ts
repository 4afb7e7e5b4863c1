import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import type { Database } from '../db/client.js';
import type { OutgoingMail, SmtpClient } from './smtp-client.contract.js';
import { createSmtpClient, SMTP_DEFAULT_TIMEOUTS, type SmtpClientOptions } from './smtp-client.js';
import { createDatabaseRateBudget } from './smtp-limits.js';

interface Arrival {
  from: string;
  to: string[];
  raw: string;
  at: number;
  secure: boolean;
  user: string | undefined;
}

/**
 * A real smtp-server on loopback. `refuseRcpt` answers RCPT TO by address; `slowMs` delays the
 * reply to the end of each message.
 */
async function startServer(
  options: { refuseRcpt?: Record<string, number>; slowMs?: number; server?: SMTPServerOptions } = {},
) {
  const received: Arrival[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    closeTimeout: 100,
    ...options.server,
    onRcptTo(address, _session, callback) {
      const code = options.refuseRcpt?.[address.address];
      if (code) callback(Object.assign(new Error('refused by the test server'), { responseCode: code }));
      else callback();
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((recipient) => recipient.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
          secure: session.secure,
          user: session.user as string | undefined,
        });
        const reply = () => callback(null, `OK: queued as Q${received.length}`);
        if (options.slowMs) setTimeout(reply, options.slowMs);
        else reply();
      });
    },
  });
  // A connection the client (or the relay) cut is no failure of the test server.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A TCP relay in front of a server that counts the client's writes as they arrive (a pipelined
 * group is one) and can cut every connection once the client has ended `cutAfter` messages.
 */
async function startRelay(port: number, cutAfter?: number) {
  let bursts = 0;
  let dots = 0;
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const relay = net.createServer((client) => {
    connections += 1;
    const upstream = net.connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => {
      bursts += 1;
      dots += chunk.toString('latin1').split('\r\n.\r\n').length - 1;
      if (cutAfter !== undefined && dots >= cutAfter) {
        cutAfter = undefined;
        for (const socket of sockets) socket.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(relay.address() as AddressInfo).port}`,
    get bursts() {
      return bursts;
    },
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        relay.close(() => resolve());
      }),
  };
}

function mail(index: number, overrides: Partial<OutgoingMail> = {}): OutgoingMail {
  return {
    messageId: `<m${index}@attest.test>`,
    from: { name: 'Acme Trust', address: 'no-reply@attest.test' },
    to: `subscriber${index}@example.test`,
    subject: `Notice ${index}`,
    text: `Hello ${index}.\nThe second line.`,
    headers: {},
    ...overrides,
  };
}

const clients: SmtpClient[] = [];
const closers: (() => Promise<void>)[] = [];
function client(options: SmtpClientOptions): SmtpClient {
  const made = createSmtpClient(options);
  clients.push(made);
  return made;
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((made) => made.close()));
  await Promise.all(closers.splice(0).map((close) => close()));
});
async function server(options: Parameters<typeof startServer>[0] = {}) {
  const started = await startServer(options);
  closers.push(started.close);
  return started;
}

/** RFC 2047 B-words back to text. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?B\?([^?]*)\?=/gi, (_match, base64: string) =>
      Buffer.from(base64, 'base64').toString('utf8'),
    );
}
function headersOf(raw: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  for (const line of head.split('\r\n')) {
    const at = line.indexOf(':');
    headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
  }
  return headers;
}
function decodeQuotedPrintable(text: string): string {
  const bytes = text
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}
/** The decoded body of a part (headers, blank line, body). */
function bodyOf(part: string): string {
  const split = part.indexOf('\r\n\r\n');
  const body = part.slice(split + 4);
  return /quoted-printable/i.test(part.slice(0, split)) ? decodeQuotedPrintable(body) : body;
}

describe('SMTP client', () => {
  it('delivers a batch over pooled, pipelined connections, one outcome per mail in order', async () => {
    const sink = await server();
    const relay = await startRelay(sink.port);
    closers.push(relay.close);
    const smtp = client({ url: relay.url, connections: 4 });
    const mails = Array.from({ length: 200 }, (_, index) => mail(index));
    const outcomes = await smtp.sendBatch(mails);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    expect(outcomes[7]).toMatchObject({
      ok: true,
      response: expect.stringMatching(/^250 OK: queued as Q\d+$/),
    });
    expect(sink.received).toHaveLength(200);
    expect(new Set(sink.received.map((arrival) => arrival.to[0]))).toEqual(
      new Set(mails.map((one) => one.to)),
    );
    expect(relay.connections).toBeLessThanOrEqual(4);
    // Lock-step would take four writes a mail (MAIL, RCPT, DATA, the text); pipelined it is about one.
    expect(relay.bursts).toBeLessThan(200 * 1.5);
  });

  it('falls back to one command at a time when the server does not offer PIPELINING', async () => {
    const sink = await server({ server: { hidePIPELINING: true } });
    const relay = await startRelay(sink.port);
    closers.push(relay.close);
    const smtp = client({ url: relay.url, connections: 2 });
    const outcomes = await smtp.sendBatch(Array.from({ length: 20 }, (_, index) => mail(index)));
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    expect(sink.received).toHaveLength(20);
    expect(relay.bursts).toBeGreaterThanOrEqual(20 * 4);
  });

  it('keeps content and headers intact: non-ASCII, a line starting with a dot, long lines, HTML', async () => {
    const sink = await server();
    const smtp = client({ url: sink.url });
    const long = 'x'.repeat(1500);
    const text = `Grüße aus Zürich — 日本語\n.a line that starts with a dot\n..two dots\n.\n${long}\nend = fin `;
    const [plain, withHtml] = await smtp.sendBatch([
      mail(1, {
        from: { name: 'Société Générale "Trust"', address: 'no-reply@attest.test' },
        replyTo: 'security@acme.test',
        subject: `Mise à jour de sécurité : ${'é'.repeat(60)} ✓`,
        text,
        headers: {
          'List-Unsubscribe': '<https://trust.acme.test/u/abc>',
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      }),
      mail(2, { html: '<p>Hello <b>world</b> &amp; ünïcode</p>', text: 'Hello world' }),
    ]);
    expect(plain).toMatchObject({ ok: true });
    expect(withHtml).toMatchObject({ ok: true });
    const first = sink.received.find((arrival) => arrival.to[0] === 'subscriber1@example.test') as Arrival;
    const headers = headersOf(first.raw);
    expect(headers['message-id']).toBe('<m1@attest.test>');
    expect(decodeWords(headers.subject as string)).toBe(`Mise à jour de sécurité : ${'é'.repeat(60)} ✓`);
    expect(decodeWords(headers.from as string)).toBe('Société Générale "Trust" <no-reply@attest.test>');
    expect(headers['reply-to']).toBe('security@acme.test');
    expect(headers['list-unsubscribe']).toBe('<https://trust.acme.test/u/abc>');
    expect(headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(new Date(headers.date as string).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(first.from).toBe('no-reply@attest.test');
    // Every line of the wire format within RFC 5321's 1,000 octets; the text comes back exactly.
    expect(first.raw.split('\r\n').every((line) => line.length <= 998)).toBe(true);
    expect(bodyOf(first.raw)).toBe(`${text.replace(/\n/g, '\r\n')}\r\n`);

    const second = sink.received.find((arrival) => arrival.to[0] === 'subscriber2@example.test') as Arrival;
    const boundary = /boundary="([^"]+)"/.exec(
      headersOf(second.raw)['content-type'] as string,
    )?.[1] as string;
    const parts = second.raw.split(`--${boundary}`).slice(1, 3);
    expect(parts.map((part) => /text\/(plain|html)/.exec(part)?.[1])).toEqual(['plain', 'html']);
    expect(bodyOf((parts[1] as string).replace(/^\r\n/, '')).trim()).toBe(
      '<p>Hello <b>world</b> &amp; ünïcode</p>',
    );
  });

  it('gives a refused recipient a permanent failure, a deferred one a retry, and (after RSET) delivers the others', async () => {
    const sink = await server({
      refuseRcpt: { 'subscriber3@example.test': 550, 'subscriber5@example.test': 451 },
    });
    const smtp = client({ url: sink.url, connections: 1 });
    const outcomes = await smtp.sendBatch(Array.from({ length: 8 }, (_, index) => mail(index)));
    expect(outcomes[3]).toEqual({
      ok: false,
      code: 'smtp:EENVELOPE:550',
      responseCode: 550,
      permanent: true,
    });
    expect(outcomes[5]).toEqual({
      ok: false,
      code: 'smtp:EENVELOPE:451',
      responseCode: 451,
      permanent: false,
    });
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(6);
    expect(sink.received.map((arrival) => arrival.to[0]).sort()).toEqual(
      [0, 1, 2, 4, 6, 7].map((index) => `subscriber${index}@example.test`),
    );
    // The server's text (which quotes the address) is in no outcome.
    expect(JSON.stringify(outcomes)).not.toContain('refused by the test server');
  });

  it('gives mails in flight on a dropped connection a non-permanent outcome, and the pool recovers', async () => {
    const sink = await server();
    const relay = await startRelay(sink.port, 30);
    closers.push(relay.close);
    const smtp = client({ url: relay.url, connections: 2 });
    const outcomes = await smtp.sendBatch(Array.from({ length: 100 }, (_, index) => mail(index)));
    const failed = outcomes.filter((outcome) => !outcome.ok);
    expect(failed.length).toBeGreaterThan(0);
    expect(
      failed.every((outcome) => !outcome.ok && !outcome.permanent && outcome.code === 'smtp:ECONNECTION'),
    ).toBe(true);
    // Nothing is lost silently: every mail reported sent arrived.
    const arrived = new Set(sink.received.map((arrival) => arrival.to[0]));
    outcomes.forEach((outcome, index) => {
      if (outcome.ok) expect(arrived.has(`subscriber${index}@example.test`)).toBe(true);
    });
    expect(outcomes.filter((outcome) => outcome.ok).length).toBeGreaterThan(50);
    expect(relay.connections).toBeGreaterThan(2);
    const again = await smtp.sendBatch(Array.from({ length: 10 }, (_, index) => mail(200 + index)));
    expect(again.every((outcome) => outcome.ok)).toBe(true);
  });

  it('fails the waiting mails at once when the server goes away, instead of reconnecting for ever', async () => {
    const sink = await server();
    const smtp = client({ url: sink.url, connections: 4 });
    expect((await smtp.sendBatch([mail(0)]))[0]?.ok).toBe(true);
    // One connection is open and idle; the batch wakes it and asks for three more, then the
    // server is gone: nobody can connect, so no driver may leave the mails to another.
    const waiting = smtp.sendBatch(Array.from({ length: 4 }, (_, index) => mail(1 + index)));
    await sink.close();
    const started = Date.now();
    const outcomes = await waiting;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(outcomes).toHaveLength(4);
    expect(outcomes.every((outcome) => !outcome.ok && !outcome.permanent)).toBe(true);
  });

  it('waits for a slow end-of-data reply as long as configured, apart from the per-command timeout', async () => {
    expect(SMTP_DEFAULT_TIMEOUTS.dataEndMs).toBeGreaterThanOrEqual(600_000);
    const sink = await server({ slowMs: 700 });
    const patient = client({ url: sink.url, timeouts: { commandMs: 300, dataEndMs: 5_000 } });
    expect(await patient.sendBatch([mail(1), mail(2)])).toMatchObject([{ ok: true }, { ok: true }]);
    const hasty = client({ url: sink.url, timeouts: { dataEndMs: 200 } });
    const [outcome] = await hasty.sendBatch([mail(3)]);
    expect(outcome).toEqual({ ok: false, code: 'smtp:ETIMEDOUT', permanent: false });
  });

  it('holds a per-domain rate and leaves other domains unthrottled', async () => {
    const sink = await server();
    const smtp = client({ url: sink.url, limits: { domains: { 'slow.test': { perSecond: 4 } } } });
    const started = Date.now();
    const mails = [
      ...Array.from({ length: 9 }, (_, index) => mail(index, { to: `s${index}@slow.test` })),
      ...Array.from({ length: 9 }, (_, index) => mail(100 + index, { to: `f${index}@fast.test` })),
    ];
    const outcomes = await smtp.sendBatch(mails);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    const slow = sink.received
      .filter((arrival) => arrival.to[0]?.endsWith('@slow.test'))
      .map((arrival) => arrival.at)
      .sort((a, b) => a - b);
    // Four a second, in whole seconds of the clock: the fifth starts in the next second, the ninth a second later.
    const nextSecond = Math.ceil(started / 1000) * 1000;
    expect(slow[4] as number).toBeGreaterThanOrEqual(nextSecond);
    expect(slow[8] as number).toBeGreaterThanOrEqual(nextSecond + 1000);
    const fast = sink.received.filter((arrival) => arrival.to[0]?.endsWith('@fast.test'));
    expect(Math.max(...fast.map((arrival) => arrival.at)) - started).toBeLessThan(900);
  });

  it('holds a per-domain rate for several processes together through the database', async () => {
    // PostgreSQL when the suite has it (what several workers share), else PGlite.
    const kind = testDatabaseKinds[testDatabaseKinds.length - 1] as (typeof testDatabaseKinds)[number];
    const db: Database = await kind.create();
    closers.push(() => db.close());
    const sink = await server();
    const limits = { perDomain: { perSecond: 3 } };
    // Two clients, as two worker processes would have, each with the same limit.
    const [first, second] = [1, 2].map(() =>
      client({ url: sink.url, limits, budget: createDatabaseRateBudget(db) }),
    );
    const started = Date.now();
    const outcomes = await Promise.all([
      (first as SmtpClient).sendBatch(
        Array.from({ length: 4 }, (_, index) => mail(index, { to: `a${index}@shared.test` })),
      ),
      (second as SmtpClient).sendBatch(
        Array.from({ length: 4 }, (_, index) => mail(10 + index, { to: `b${index}@shared.test` })),
      ),
    ]);
    expect(outcomes.flat().every((outcome) => outcome.ok)).toBe(true);
    const arrivals = sink.received.map((arrival) => arrival.at).sort((a, b) => a - b);
    // Three a second for both together: the fourth starts in the next second, the seventh a second later.
    const nextSecond = Math.ceil(started / 1000) * 1000;
    expect(arrivals[3] as number).toBeGreaterThanOrEqual(nextSecond);
    expect(arrivals[6] as number).toBeGreaterThanOrEqual(nextSecond + 1000);
  });

  it('recovers from a 421 (the server closing the session) on a new connection', async () => {
    let mailFroms = 0;
    const sink = await server({
      server: {
        onMailFrom(_address, _session, callback) {
          mailFroms += 1;
          if (mailFroms === 3) callback(Object.assign(new Error('closing'), { responseCode: 421 }));
          else callback();
        },
      },
    });
    const relay = await startRelay(sink.port);
    closers.push(relay.close);
    const smtp = client({ url: relay.url, connections: 1 });
    const outcomes = await smtp.sendBatch(Array.from({ length: 8 }, (_, index) => mail(index)));
    // The server hung up after its 421: the mail it refused had not been sent, so it went again
    // on a new connection, once.
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    expect(sink.received).toHaveLength(8);
    expect(mailFroms).toBe(9);
    expect(relay.connections).toBe(2);
  });

  it('caps the mails in flight per domain', async () => {
    const sink = await server({ slowMs: 50 });
    const smtp = client({ url: sink.url, connections: 4, limits: { perDomain: { concurrency: 1 } } });
    const started = Date.now();
    const outcomes = await smtp.sendBatch(Array.from({ length: 6 }, (_, index) => mail(index)));
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    // One at a time: six slow replies in a row.
    expect(Date.now() - started).toBeGreaterThanOrEqual(6 * 50);
  });
});

describe('SMTP client: authentication and TLS', () => {
  let certDir: string;
  let key: Buffer;
  let cert: Buffer;
  beforeAll(() => {
    certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-smtp-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        path.join(certDir, 'key.pem'),
        '-out',
        path.join(certDir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    key = fs.readFileSync(path.join(certDir, 'key.pem'));
    cert = fs.readFileSync(path.join(certDir, 'cert.pem'));
  });
  afterAll(() => fs.rmSync(certDir, { recursive: true, force: true }));

  const authServer = (authMethods: string[]) =>
    server({
      server: {
        authOptional: false,
        disabledCommands: ['STARTTLS'],
        allowInsecureAuth: true,
        authMethods,
        onAuth(auth, _session, callback) {
          if (auth.username === 'mailer' && auth.password === 'p@ss:wörd')
            callback(null, { user: auth.username });
          else callback(Object.assign(new Error('bad credentials'), { responseCode: 535 }));
        },
      },
    });

  it.each([['PLAIN'], ['LOGIN']])('authenticates with AUTH %s from the URL', async (method) => {
    const sink = await authServer([method]);
    const url = `smtp://mailer:${encodeURIComponent('p@ss:wörd')}@127.0.0.1:${sink.port}`;
    const outcomes = await client({ url }).sendBatch([mail(1), mail(2)]);
    expect(outcomes).toMatchObject([{ ok: true }, { ok: true }]);
    expect(sink.received.map((arrival) => arrival.user)).toEqual(['mailer', 'mailer']);
  });

  it('refuses nothing permanently over wrong credentials (the operator fixes them)', async () => {
    const sink = await authServer(['PLAIN']);
    const outcomes = await client({ url: `smtp://mailer:wrong@127.0.0.1:${sink.port}` }).sendBatch([mail(1)]);
    expect(outcomes).toEqual([{ ok: false, code: 'smtp:EAUTH:535', responseCode: 535, permanent: false }]);
    expect(sink.received).toHaveLength(0);
  });

  it('upgrades with STARTTLS when offered, checking the certificate', async () => {
    const sink = await server({ server: { key, cert, disabledCommands: ['AUTH'] } });
    const outcomes = await client({ url: sink.url, tls: { ca: cert } }).sendBatch([
      mail(1),
      mail(2),
      mail(3),
    ]);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    expect(sink.received.every((arrival) => arrival.secure)).toBe(true);
    // Without the certificate's CA the connection is refused, and nothing is sent in the clear.
    const [untrusted] = await client({ url: sink.url }).sendBatch([mail(4)]);
    expect(untrusted).toEqual({ ok: false, code: 'smtp:ETLS', permanent: false });
    expect(sink.received).toHaveLength(3);
  });

  it('speaks TLS from the first byte for smtps://', async () => {
    const sink = await server({ server: { secure: true, key, cert, disabledCommands: ['AUTH'] } });
    const outcomes = await client({ url: `smtps://localhost:${sink.port}`, tls: { ca: cert } }).sendBatch([
      mail(1),
    ]);
    expect(outcomes).toMatchObject([{ ok: true }]);
    expect(sink.received[0]?.secure).toBe(true);
  });
});
