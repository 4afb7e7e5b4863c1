import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import type { Clock } from '../clock.js';
import type { Database } from '../db/client.js';
import { withPlatform } from '../db/tenancy.js';
import { createCoalescedRuns } from '../jobs/coalesced-runs.js';
import type { Logger } from '../logging/logger.js';
import { mailOutbox } from './mail.schema.js';

/** The key of the mailer's delivery runs (there is one outbox). */
const OUTBOX_RUN = 'outbox';

/** Attempts before a mail is given up as 'failed'. */
export const MAX_ATTEMPTS = 5;
/** The first retry waits this long; each further one twice as long (30 s, 1 min, 2 min, 4 min). */
export const RETRY_BASE_MS = 30_000;
/** A claimed mail whose sender vanished (a crash) is due again after this. */
const LEASE_MS = 5 * 60_000;
const BATCH = 20;
const MAX_BATCHES_PER_RUN = 50;

export interface MailerOptions {
  db: Database;
  /** smtp:// or smtps:// URL; without it mails are kept in the outbox ('stored') for the console. */
  smtpUrl: string | undefined;
  /** The platform's sender address; tenants supply the display name and reply-to per mail. */
  from: string;
  clock: Clock;
  logger: Logger;
  pollMs?: number;
  concurrency?: number;
}

export interface DeliveryReport {
  sent: number;
  retrying: number;
  failed: number;
  stored: number;
}

type OutboxRow = typeof mailOutbox.$inferSelect;

/** A code for the outbox and the logs: never the server's message, which may quote addresses. */
function errorCode(error: unknown): string {
  const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown };
  const name = typeof code === 'string' ? code : 'error';
  const reply = typeof responseCode === 'number' ? `:${responseCode}` : '';
  return `smtp:${name}${reply}`.replace(/[^A-Za-z0-9_:.-]/g, '').slice(0, 120);
}

/** An SMTP 5xx reply is a refusal that retrying will not change. */
function isPermanent(error: unknown): boolean {
  const { responseCode } = (error ?? {}) as { responseCode?: unknown };
  return typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600;
}

/**
 * Delivers the outbox. `deliverDue` claims due mails in a short platform transaction (FOR UPDATE
 * SKIP LOCKED, so several processes share the work), sends them outside any transaction, and
 * records the outcome. A failure is retried with exponential backoff; after MAX_ATTEMPTS, or at
 * once on a permanent (5xx) refusal, the mail is 'failed' with an error code the console shows.
 * Delivery is at least once: a process that dies between sending and recording sends that mail
 * again when its lease runs out.
 */
export function createMailer({
  db,
  smtpUrl,
  from,
  clock,
  logger,
  pollMs = 2_000,
  concurrency = 4,
}: MailerOptions) {
  const transport = smtpUrl
    ? nodemailer.createTransport({
        url: smtpUrl,
        pool: true,
        maxConnections: concurrency,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      })
    : null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  async function claim(now: Date): Promise<OutboxRow[]> {
    return withPlatform(db, async (tx) => {
      // A mail still 'sending' after its lease, with no attempts left, was interrupted for good.
      await tx
        .update(mailOutbox)
        .set({ status: 'failed', lastError: 'mail:interrupted' })
        .where(
          and(
            eq(mailOutbox.status, 'sending'),
            lte(mailOutbox.nextAttemptAt, now),
            sql`${mailOutbox.attempts} >= ${MAX_ATTEMPTS}`,
          ),
        );
      const due = tx
        .select({ id: mailOutbox.id })
        .from(mailOutbox)
        .where(and(inArray(mailOutbox.status, ['pending', 'sending']), lte(mailOutbox.nextAttemptAt, now)))
        .orderBy(mailOutbox.nextAttemptAt)
        .limit(BATCH)
        .for('update', { skipLocked: true });
      return tx
        .update(mailOutbox)
        .set({
          status: 'sending',
          attempts: sql`${mailOutbox.attempts} + 1`,
          nextAttemptAt: new Date(now.getTime() + LEASE_MS),
        })
        .where(inArray(mailOutbox.id, due))
        .returning();
    });
  }

  async function record(id: string, values: Partial<typeof mailOutbox.$inferInsert>): Promise<void> {
    await withPlatform(db, (tx) => tx.update(mailOutbox).set(values).where(eq(mailOutbox.id, id)));
  }

  async function sendOne(row: OutboxRow, report: DeliveryReport): Promise<void> {
    if (!transport) return;
    try {
      await transport.sendMail({
        from: { name: row.fromName ?? '', address: from },
        to: row.toAddress,
        ...(row.replyTo ? { replyTo: row.replyTo } : {}),
        subject: row.subject,
        text: row.textBody,
        ...(row.htmlBody ? { html: row.htmlBody } : {}),
        headers: row.headers,
      });
      await record(row.id, { status: 'sent', sentAt: clock(), lastError: null });
      report.sent += 1;
      logger.info({ mailId: row.id, tenantId: row.tenantId }, 'mail sent');
    } catch (error) {
      const code = errorCode(error);
      const giveUp = row.attempts >= MAX_ATTEMPTS || isPermanent(error);
      const retryAt = new Date(clock().getTime() + RETRY_BASE_MS * 2 ** (row.attempts - 1));
      await record(
        row.id,
        giveUp
          ? { status: 'failed', lastError: code }
          : { status: 'pending', lastError: code, nextAttemptAt: retryAt },
      );
      if (giveUp) report.failed += 1;
      else report.retrying += 1;
      logger.warn(
        { mailId: row.id, tenantId: row.tenantId, attempts: row.attempts, code, giveUp },
        'mail not delivered',
      );
    }
  }

  /** Delivers every mail that is due now; returns what happened. */
  async function deliverDue(): Promise<DeliveryReport> {
    const report: DeliveryReport = { sent: 0, retrying: 0, failed: 0, stored: 0 };
    if (!transport) {
      const stored = await withPlatform(db, (tx) =>
        tx
          .update(mailOutbox)
          .set({ status: 'stored' })
          .where(inArray(mailOutbox.status, ['pending', 'sending']))
          .returning({ id: mailOutbox.id }),
      );
      report.stored = stored.length;
      return report;
    }
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN && !stopped; batch += 1) {
      const rows = await claim(clock());
      for (let start = 0; start < rows.length; start += concurrency) {
        await Promise.all(rows.slice(start, start + concurrency).map((row) => sendOne(row, report)));
      }
      if (rows.length < BATCH) break;
    }
    return report;
  }

  // One delivery run at a time; a kick during a run asks for one more run right after it.
  const runs = createCoalescedRuns(
    () => deliverDue(),
    (_key, error) => logger.error({ err: { type: (error as Error).name } }, 'mail delivery run failed'),
  );

  /** Runs a delivery now (or right after the one in progress); resolves when it is done. */
  function kick(): Promise<void> {
    runs.request(OUTBOX_RUN);
    return runs.idle();
  }

  return {
    deliverDue,
    kick,
    /** Polls the outbox every pollMs (2 s) until stop(). */
    start() {
      if (timer || stopped) return;
      timer = setInterval(() => void kick(), pollMs);
      timer.unref();
      void kick();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      await runs.drain();
      transport?.close();
    },
    /** True when mails go to an SMTP server, false when they are kept in the outbox. */
    get delivers() {
      return transport !== null;
    },
  };
}

export type Mailer = ReturnType<typeof createMailer>;
