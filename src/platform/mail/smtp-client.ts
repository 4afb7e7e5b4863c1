import os from 'node:os';
import type tls from 'node:tls';
import type { SendOutcome, SmtpClient } from './smtp-client.contract.js';
import { SmtpConnection, SmtpError, type SmtpReply, type SmtpTimeouts, targetOf } from './smtp-connection.js';
import { createMemoryRateBudget, type DeliveryLimits, type RateBudget } from './smtp-limits.js';
import { buildMessage } from './smtp-message.js';
import { createDeliveryQueue, type Job } from './smtp-queue.js';

/**
 * The SMTP client of the mailer: a pool of connections to the server of `SMTP_URL`, each sending
 * one mail after another with RFC 2920 pipelining when the server offers it (MAIL, RCPT and DATA
 * as one write; a message's text, its terminating dot and the next mail's commands as the next),
 * so a mail costs about one round trip. Mails wait in one queue; a connection takes the next one
 * its limits allow. See decision 0020.
 */

export interface SmtpClientOptions {
  /** smtp:// (STARTTLS when the server offers it) or smtps://, with `user:pass@` for AUTH. */
  url: string;
  /** Connections at most (default 4); opened as mail comes, closed when idle. */
  connections?: number;
  /** The name given in EHLO (default: this machine's host name). */
  name?: string;
  /** Certificate checks for smtps:// and STARTTLS (a private CA); `?tls.rejectUnauthorized=false` in the URL turns them off. */
  tls?: tls.ConnectionOptions;
  timeouts?: Partial<SmtpTimeouts> & {
    /** An idle connection is closed (QUIT) after this. */
    idleMs?: number;
    /** A mail waiting for its rate budget longer than this is given back as not sent (non-permanent). */
    limitWaitMs?: number;
  };
  /** Mails per connection before it is closed and a new one opened (servers cap sessions). */
  maxMessagesPerConnection?: number;
  limits?: DeliveryLimits;
  /** Where the per-second rates are counted; this process's memory unless given (decision 0020). */
  budget?: RateBudget;
}

export const SMTP_DEFAULT_TIMEOUTS: SmtpTimeouts & { idleMs: number; limitWaitMs: number } = {
  connectMs: 10_000,
  greetingMs: 60_000,
  commandMs: 60_000,
  dataEndMs: 600_000,
  idleMs: 5_000,
  limitWaitMs: 60_000,
};

/** A refusal by the server: 5xx is permanent, anything else may pass later. */
function refused(stage: 'EENVELOPE' | 'EMESSAGE', reply: SmtpReply): SendOutcome {
  return {
    ok: false,
    code: `smtp:${stage}:${reply.code}`,
    responseCode: reply.code,
    permanent: reply.code >= 500 && reply.code < 600,
  };
}

/** The connection failed: whatever the mail's fate, retrying with the same Message-ID is right. */
function lost(error: unknown): SendOutcome {
  const code = error instanceof SmtpError ? error.code : 'ECONNECTION';
  const responseCode = error instanceof SmtpError ? error.responseCode : undefined;
  return {
    ok: false,
    code: `smtp:${code}${responseCode ? `:${responseCode}` : ''}`,
    ...(responseCode ? { responseCode } : {}),
    permanent: false,
  };
}

function ehloName(): string {
  const host = os.hostname();
  return /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(host) ? host : '[127.0.0.1]';
}

export function createSmtpClient(options: SmtpClientOptions): SmtpClient {
  const timeouts = { ...SMTP_DEFAULT_TIMEOUTS, ...options.timeouts };
  const maxConnections = Math.max(1, options.connections ?? 4);
  const maxMessages = options.maxMessagesPerConnection ?? 1_000;
  const target = targetOf(options.url, options.name ?? ehloName(), options.tls);

  const idle: ((woken: boolean) => void)[] = [];
  const drivers = new Set<Promise<void>>();
  const batches = new Set<Promise<unknown>>();
  let live = 0;
  /** Drivers whose connection is open: while none is, a failed connect fails the ready mails. */
  let connected = 0;
  let closed = false;
  const queue = createDeliveryQueue({
    limits: options.limits ?? {},
    budget: options.budget ?? createMemoryRateBudget(),
    limitWaitMs: timeouts.limitWaitMs,
    onReady: () => wake(),
  });

  function wake(): void {
    for (const resume of idle.splice(0)) resume(true);
    while (live < maxConnections && live < queue.readyCount) spawn();
  }

  function waitForWork(): Promise<boolean> {
    if (closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const at = idle.indexOf(resume);
        if (at >= 0) idle.splice(at, 1);
        resolve(false);
      }, timeouts.idleMs);
      const resume = (woken: boolean) => {
        clearTimeout(timer);
        resolve(woken);
      };
      idle.push(resume);
    });
  }

  function spawn(): void {
    live += 1;
    const driver = connectAndDrive().finally(() => {
      live -= 1;
      drivers.delete(driver);
      if (!closed || queue.readyCount > 0) wake();
    });
    drivers.add(driver);
  }

  async function connectAndDrive(): Promise<void> {
    let connection: SmtpConnection;
    try {
      connection = await SmtpConnection.open(target, timeouts);
    } catch (error) {
      // No connection can be had: the ready mails fail now (the mailer retries them later), unless
      // a connection that is open still drains the queue. Counting open connections, not drivers:
      // several drivers failing to connect at once would otherwise each leave the mails to the
      // others and respawn one another for ever.
      if (connected === 0)
        for (let job = queue.take(); job; job = queue.take()) queue.settle(job, lost(error));
      return;
    }
    connected += 1;
    const mine = new Set<Job>();
    try {
      await drive(connection, mine);
    } catch (error) {
      for (const job of mine) {
        // A mail whose text never left is safe to give to another connection.
        if (!job.settled && job.state === 'envelope' && job.requeues < 2) queue.requeue(job);
        else queue.settle(job, lost(error));
      }
    } finally {
      connected -= 1;
      await connection.quit();
    }
  }

  /** Sends mail on one connection until it idles, reaches its message cap or fails (throws). */
  async function drive(connection: SmtpConnection, mine: Set<Job>): Promise<void> {
    const from = (job: Job) => job.mail.from.address.replace(/[<>\s]/g, '');
    const to = (job: Job) => job.mail.to.replace(/[<>\s]/g, '');
    const envelope = (job: Job) => `MAIL FROM:<${from(job)}>\r\nRCPT TO:<${to(job)}>\r\nDATA\r\n`;
    let started = 0;
    /** A mail whose DATA got 354: its text goes out with the next write. */
    let carried: Job | null = null;
    /** DATA was accepted although the envelope failed: a lone dot ends it. */
    let dotOnly = false;
    let reset = false;

    const finish = (job: Job, reply: Promise<SmtpReply>) => {
      reply.then(
        (end) => {
          mine.delete(job);
          queue.settle(
            job,
            end.code >= 200 && end.code < 300 ? { ok: true, response: end.text } : refused('EMESSAGE', end),
          );
        },
        () => undefined, // the connection failed: drive's caller settles what is still mine
      );
      return reply;
    };

    for (;;) {
      const job: Job | undefined =
        connection.usable && started < maxMessages && (connection.pipelining || (!carried && !dotOnly))
          ? queue.take()
          : undefined;
      if (!job && !carried && !dotOnly) {
        if (!connection.usable || started >= maxMessages || !(await waitForWork())) return;
        continue;
      }
      const chunks: (string | Buffer)[] = [];
      const deadlines: number[] = [];
      if (carried) {
        chunks.push(carried.message as Buffer);
        carried.state = 'message';
        deadlines.push(timeouts.dataEndMs);
      } else if (dotOnly) {
        chunks.push('.\r\n');
        deadlines.push(timeouts.dataEndMs);
      }
      if (job) {
        started += 1;
        mine.add(job);
        job.message ??= buildMessage(job.mail);
        if (reset) {
          chunks.push('RSET\r\n');
          deadlines.push(timeouts.commandMs);
        }
        if (connection.pipelining) {
          chunks.push(envelope(job));
          deadlines.push(timeouts.commandMs, timeouts.commandMs, timeouts.commandMs);
        }
      }
      const { replies, written } = connection.send(chunks, deadlines);
      let next = 0;
      let ended: Promise<SmtpReply> | null = null;
      if (carried) ended = finish(carried, replies[next++] as Promise<SmtpReply>);
      else if (dotOnly) ended = replies[next++] as Promise<SmtpReply>;
      carried = null;
      dotOnly = false;
      if (job && reset) next += 1;
      reset = false;
      await written;
      if (!connection.pipelining) await Promise.all(replies);
      if (!job) {
        await ended;
        continue;
      }
      let envelopeReplies: SmtpReply[];
      if (connection.pipelining) {
        envelopeReplies = await Promise.all(replies.slice(next));
      } else {
        // Lock-step: each command waits for the reply to the one before.
        if (ended) await ended;
        envelopeReplies = [];
        for (const line of envelope(job).split('\r\n').slice(0, 3)) {
          const reply = await connection.command(line);
          envelopeReplies.push(reply);
          if (reply.code >= 400) break;
        }
      }
      const [mail, rcpt, data] = envelopeReplies;
      const refusal =
        [mail, rcpt].find((reply) => reply && reply.code >= 300) ?? (data?.code === 354 ? undefined : data);
      if (!refusal && data) {
        carried = job;
        if (!connection.pipelining) {
          const { replies: end, written: sent } = connection.send(job.message as Buffer, [
            timeouts.dataEndMs,
          ]);
          job.state = 'message';
          carried = null;
          await sent;
          await finish(job, end[0] as Promise<SmtpReply>);
        }
        continue;
      }
      mine.delete(job);
      queue.settle(job, refused('EENVELOPE', refusal ?? (mail as SmtpReply)));
      reset = true;
      dotOnly = data?.code === 354;
      if (dotOnly && !connection.pipelining) {
        await connection.send('.\r\n', [timeouts.dataEndMs]).replies[0];
        dotOnly = false;
      }
    }
  }

  return {
    sendBatch(mails) {
      if (closed) {
        return Promise.resolve(
          mails.map(() => ({ ok: false, code: 'smtp:ECLOSED', permanent: false }) as const),
        );
      }
      const outcomes = queue.add(mails);
      const batch = Promise.all(outcomes);
      batches.add(batch);
      void batch.finally(() => batches.delete(batch));
      return batch;
    },
    async close() {
      while (batches.size > 0) await Promise.all([...batches]);
      closed = true;
      queue.stop();
      for (const resume of idle.splice(0)) resume(false);
      await Promise.all([...drivers]);
    },
  };
}
