import { createHash } from 'node:crypto';
import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Transporter } from 'nodemailer';
import type { Clock } from '../clock.js';
import type { Database } from '../db/client.js';
import { withPlatform, withTenant } from '../db/tenancy.js';
import { createCoalescedRuns } from '../jobs/coalesced-runs.js';
import { lazyImport } from '../lazy-import.js';
import type { Logger } from '../logging/logger.js';
import { mailOutbox } from './mail.schema.js';

/** nodemailer (~25MB once loaded) only when there is mail to send over SMTP. */
const nodemailer = lazyImport('nodemailer', async () => (await import('nodemailer')).default);

/** The key of the mailer's delivery runs (there is one outbox). */
const OUTBOX_RUN = 'outbox';

/** Attempts before a mail is given up as 'failed'. */
export const MAX_ATTEMPTS = 5;
/** The first retry waits this long; each further one twice as long (30 s, 1 min, 2 min, 4 min). */
export const RETRY_BASE_MS = 30_000;
/** A claimed or sending mail whose sender vanished (a crash) is due again after this. */
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

/** What the platform role may read of a mail: its delivery state, never its recipient or text. */
const delivery = {
  id: mailOutbox.id,
  tenantId: mailOutbox.tenantId,
  attempts: mailOutbox.attempts,
  nextAttemptAt: mailOutbox.nextAttemptAt,
  messageId: mailOutbox.messageId,
};
type Claimed = {
  id: string;
  tenantId: string;
  attempts: number;
  nextAttemptAt: Date;
  messageId: string | null;
};
type Content = Pick<
  typeof mailOutbox.$inferSelect,
  | 'id'
  | 'tenantId'
  | 'toAddress'
  | 'fromName'
  | 'replyTo'
  | 'subject'
  | 'textBody'
  | 'htmlBody'
  | 'headers'
  | 'dedupeKey'
>;

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
 * The server's final reply ("250 2.0.0 Ok: queued as 4F1B2C"), kept so an operator can find the
 * mail in the server's logs. Addresses some servers quote are cut out; printable ASCII, bounded.
 */
export function smtpReplyOf(response: unknown): string | null {
  if (typeof response !== 'string' || response.length === 0) return null;
  return response
    .replace(/[^\s<>()"]+@[^\s<>()"]+/g, '(address)')
    .replace(/[^\x20-\x7e]/g, ' ')
    .slice(0, 200);
}

/**
 * A mail's Message-ID: the same for every attempt to send it, so a receiver that sees it twice
 * (a re-send after a crash) can drop the copy. Derived from the tenant and the mail's dedupe key
 * (one per notice and subscriber) or, without one, the mail's id; the domain is the sender's.
 */
export function messageIdOf(mail: Pick<Content, 'id' | 'tenantId' | 'dedupeKey'>, from: string): string {
  const domain = /^[^@\s]+@([A-Za-z0-9.-]{1,253})$/.exec(from)?.[1] ?? 'attest.invalid';
  const basis = mail.dedupeKey ? `key:${mail.dedupeKey}` : `mail:${mail.id}`;
  const hash = createHash('sha256')
    .update(`attest-message-id:v1:${mail.tenantId}:${basis}`)
    .digest('hex')
    .slice(0, 32);
  return `<${hash}@${domain}>`;
}

/**
 * Delivers the outbox, at least once, with the duplicate window as small as SMTP allows:
 *
 * 1. `claim` takes due mails in a short platform transaction (FOR UPDATE SKIP LOCKED, so several
 *    processes share the work) and leases them; they stay 'pending'. A process that dies now
 *    has sent nothing: the mail is simply due again when the lease ends.
 * 2. Its text is read in the tenant's own transaction (the platform role cannot read it).
 * 3. Just before the SMTP transaction, the mail is marked 'sending' (attempt counted, Message-ID
 *    fixed) in its own commit, only if this process's lease still holds.
 * 4. After the server's reply, the outcome is recorded: 'sent' with the server's reply (its
 *    queue id), or a retry with exponential backoff, or 'failed' after MAX_ATTEMPTS or at once on
 *    a permanent (5xx) refusal.
 *
 * A mail still 'sending' after its lease was handed to SMTP by a process that died before step 4:
 * whether the server took it is unknown. It is reconciled, not silently re-sent: logged, marked
 * `mail:interrupted`, and sent again with the same Message-ID (or failed once out of attempts).
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
  /**
   * The SMTP pool, made by the first delivery run that has mail to send. A run whose library does
   * not load fails before it claims anything (logged as a failed run); its mails stay due.
   */
  let transport: Transporter | null = null;
  async function smtpTransport(url: string): Promise<Transporter> {
    const { createTransport } = await nodemailer();
    transport ??= createTransport({
      url,
      pool: true,
      maxConnections: concurrency,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    return transport;
  }
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  /** Mails left 'sending' past their lease by a process that died mid-transaction. */
  async function reconcile(now: Date): Promise<void> {
    const interrupted = await withPlatform(db, (tx) =>
      tx
        .update(mailOutbox)
        .set({
          status: sql`case when ${mailOutbox.attempts} >= ${MAX_ATTEMPTS} then 'failed' else 'pending' end`,
          lastError: 'mail:interrupted',
          nextAttemptAt: now,
        })
        .where(and(eq(mailOutbox.status, 'sending'), lte(mailOutbox.nextAttemptAt, now)))
        .returning({ ...delivery, status: mailOutbox.status }),
    );
    for (const mail of interrupted) {
      logger.warn(
        {
          mailId: mail.id,
          tenantId: mail.tenantId,
          attempts: mail.attempts,
          messageId: mail.messageId,
          giveUp: mail.status === 'failed',
        },
        'mail delivery was interrupted: the server may have it; sending again with the same Message-ID',
      );
    }
  }

  /** Whether any mail is due: the SMTP library is loaded only once there is one to send. */
  async function anyDue(now: Date): Promise<boolean> {
    const [due] = await withPlatform(db, (tx) =>
      tx
        .select({ id: mailOutbox.id })
        .from(mailOutbox)
        .where(and(eq(mailOutbox.status, 'pending'), lte(mailOutbox.nextAttemptAt, now)))
        .limit(1),
    );
    return due !== undefined;
  }

  async function claim(now: Date): Promise<Claimed[]> {
    return withPlatform(db, async (tx) => {
      const due = tx
        .select({ id: mailOutbox.id })
        .from(mailOutbox)
        .where(and(eq(mailOutbox.status, 'pending'), lte(mailOutbox.nextAttemptAt, now)))
        .orderBy(mailOutbox.nextAttemptAt)
        .limit(BATCH)
        .for('update', { skipLocked: true });
      return tx
        .update(mailOutbox)
        .set({ nextAttemptAt: new Date(now.getTime() + LEASE_MS) })
        .where(inArray(mailOutbox.id, due))
        .returning(delivery);
    });
  }

  /** The claimed mails' text, read per tenant under its row-level security. */
  async function contentOf(claimed: Claimed[]): Promise<Map<string, Content>> {
    const found = new Map<string, Content>();
    for (const tenantId of new Set(claimed.map((mail) => mail.tenantId))) {
      const ids = claimed.filter((mail) => mail.tenantId === tenantId).map((mail) => mail.id);
      const rows = await withTenant(db, tenantId, (tx) =>
        tx
          .select({
            id: mailOutbox.id,
            tenantId: mailOutbox.tenantId,
            toAddress: mailOutbox.toAddress,
            fromName: mailOutbox.fromName,
            replyTo: mailOutbox.replyTo,
            subject: mailOutbox.subject,
            textBody: mailOutbox.textBody,
            htmlBody: mailOutbox.htmlBody,
            headers: mailOutbox.headers,
            dedupeKey: mailOutbox.dedupeKey,
          })
          .from(mailOutbox)
          .where(inArray(mailOutbox.id, ids)),
      );
      for (const row of rows) found.set(row.id, row);
    }
    return found;
  }

  /** Step 3: 'sending', in its own commit, while the lease is still this process's. */
  async function markSending(mail: Claimed, content: Content) {
    const now = clock();
    const [marked] = await withPlatform(db, (tx) =>
      tx
        .update(mailOutbox)
        .set({
          status: 'sending',
          attempts: sql`${mailOutbox.attempts} + 1`,
          sendStartedAt: now,
          nextAttemptAt: new Date(now.getTime() + LEASE_MS),
          messageId: sql`coalesce(${mailOutbox.messageId}, ${messageIdOf(content, from)})`,
        })
        .where(
          and(
            eq(mailOutbox.id, mail.id),
            eq(mailOutbox.status, 'pending'),
            eq(mailOutbox.nextAttemptAt, mail.nextAttemptAt),
          ),
        )
        .returning({ attempts: mailOutbox.attempts, messageId: mailOutbox.messageId }),
    );
    return marked?.messageId ? { attempts: marked.attempts, messageId: marked.messageId } : null;
  }

  /** Step 4, only over this attempt: a process that took the mail over since then keeps its own state. */
  async function record(
    id: string,
    attempts: number,
    values: Partial<typeof mailOutbox.$inferInsert>,
    statuses: ('sending' | 'pending')[] = ['sending'],
  ): Promise<void> {
    await withPlatform(db, (tx) =>
      tx
        .update(mailOutbox)
        .set(values)
        .where(
          and(eq(mailOutbox.id, id), eq(mailOutbox.attempts, attempts), inArray(mailOutbox.status, statuses)),
        ),
    );
  }

  async function sendOne(
    transport: Transporter,
    mail: Claimed,
    content: Content | undefined,
    report: DeliveryReport,
  ): Promise<void> {
    if (!content) return;
    const marked = await markSending(mail, content);
    if (!marked) return;
    const { attempts, messageId } = marked;
    try {
      const info = await transport.sendMail({
        messageId,
        from: { name: content.fromName ?? '', address: from },
        to: content.toAddress,
        ...(content.replyTo ? { replyTo: content.replyTo } : {}),
        subject: content.subject,
        text: content.textBody,
        ...(content.htmlBody ? { html: content.htmlBody } : {}),
        headers: content.headers,
      });
      // Also over an interruption reconciled meanwhile but not yet re-sent: it is sent, so it stays so.
      await record(
        mail.id,
        attempts,
        { status: 'sent', sentAt: clock(), lastError: null, smtpReply: smtpReplyOf(info.response) },
        ['sending', 'pending'],
      );
      report.sent += 1;
      logger.info({ mailId: mail.id, tenantId: mail.tenantId, messageId }, 'mail sent');
    } catch (error) {
      const code = errorCode(error);
      const giveUp = attempts >= MAX_ATTEMPTS || isPermanent(error);
      const retryAt = new Date(clock().getTime() + RETRY_BASE_MS * 2 ** (attempts - 1));
      await record(
        mail.id,
        attempts,
        giveUp
          ? { status: 'failed', lastError: code }
          : { status: 'pending', lastError: code, nextAttemptAt: retryAt },
      );
      if (giveUp) report.failed += 1;
      else report.retrying += 1;
      logger.warn({ mailId: mail.id, tenantId: mail.tenantId, attempts, code, giveUp }, 'mail not delivered');
    }
  }

  /** Delivers every mail that is due now; returns what happened. */
  async function deliverDue(): Promise<DeliveryReport> {
    const report: DeliveryReport = { sent: 0, retrying: 0, failed: 0, stored: 0 };
    if (!smtpUrl) {
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
    await reconcile(clock());
    let smtp: Transporter | null = null;
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN && !stopped; batch += 1) {
      // Before a claim: a run that cannot load the SMTP library leaves every mail as it was.
      if (!smtp && (await anyDue(clock()))) smtp = await smtpTransport(smtpUrl);
      if (!smtp) break;
      const rows = await claim(clock());
      const contents = await contentOf(rows);
      for (let start = 0; start < rows.length; start += concurrency) {
        const group = rows.slice(start, start + concurrency);
        await Promise.all(
          group.map((row) => sendOne(smtp as Transporter, row, contents.get(row.id), report)),
        );
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
      return Boolean(smtpUrl);
    },
  };
}

export type Mailer = ReturnType<typeof createMailer>;
