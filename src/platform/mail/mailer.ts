import { createHash, randomUUID } from 'node:crypto';
import { inArray, sql } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import { type Database, resultRows } from '../db/client.js';
import { withPlatform, withTenant } from '../db/tenancy.js';
import { createCoalescedRuns } from '../jobs/coalesced-runs.js';
import type { Logger } from '../logging/logger.js';
import { mailOutbox } from './mail.schema.js';
import type { OutgoingMail, SendOutcome, SmtpClient } from './smtp-client.contract.js';
import { createSmtpClient } from './smtp-client.js';
import { createDatabaseRateBudget, type DeliveryLimits } from './smtp-limits.js';

/** The key of the mailer's delivery runs (there is one outbox). */
const OUTBOX_RUN = 'outbox';

/** Attempts before a mail is given up as 'failed'. */
export const MAX_ATTEMPTS = 5;
/** The first retry waits this long; each further one twice as long (30 s, 1 min, 2 min, 4 min). */
export const RETRY_BASE_MS = 30_000;
/**
 * How long a claimed batch is a worker's without renewal. Short, so the mail of a worker that
 * died is delivered by another within about a minute; a live worker renews it (HEARTBEAT_MS)
 * for as long as its SMTP exchange takes.
 */
export const LEASE_MS = 60_000;
/** How often a worker renews the leases of the batches it has in flight: several times per lease. */
export const HEARTBEAT_MS = 15_000;
/** Mails claimed, read, handed to the SMTP client and recorded together. */
export const BATCH = 200;
/** A mail that waited out its rate budget is due again this soon, without spending an attempt. */
export const LIMITED_RETRY_MS = 5_000;
/** The client's outcome for a mail that never left because its delivery limits held it back. */
const RATE_LIMITED = 'smtp:ELIMIT';
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
  /** How the default client talks to the server (config's `smtpDelivery`, decision 0020). */
  delivery?: SmtpDelivery;
  /** The SMTP client, made once on the first batch: Attest's pipelining pool unless another is given. */
  smtpClient?: (url: string) => SmtpClient;
  /** Batches each process has in flight at once (one claims and records while another sends). */
  lanes?: number;
  batchSize?: number;
  leaseMs?: number;
  heartbeatMs?: number;
}

export interface SmtpDelivery {
  /** Connections per worker process. */
  connections: number;
  commandTimeoutMs: number;
  /** How long the server may take to accept a message's text (RFC 5321: 10 minutes). */
  dataTimeoutMs: number;
  /** Per-second rates for every worker together (counted in the database); concurrency per process. */
  limits: DeliveryLimits;
}

/** Four connections, RFC 5321's timeouts, no limits: what a worker uses unless configured otherwise. */
export const DEFAULT_SMTP_DELIVERY: SmtpDelivery = {
  connections: 4,
  commandTimeoutMs: 60_000,
  dataTimeoutMs: 600_000,
  limits: {},
};

export interface DeliveryReport {
  sent: number;
  retrying: number;
  failed: number;
  stored: number;
}

/** What the platform role reads of a claimed mail: its delivery state, never its recipient or text. */
type Claimed = { id: string; tenantId: string };
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
/** A mail whose SMTP transaction this process begins: its attempt counted, its Message-ID fixed. */
type Started = { id: string; tenantId: string; attempts: number; messageId: string };
/** What is written back for one mail, in the batch's one outcome statement. */
type Outcome = {
  id: string;
  status: 'sent' | 'pending' | 'failed';
  lastError: string | null;
  smtpReply: string | null;
  sentAt: Date | null;
  nextAttemptAt: Date | null;
  /** The mail never reached the server (it waited out its rate budget): its attempt is given back. */
  refund: boolean;
};

const iso = (at: Date) => sql`${at.toISOString()}::timestamptz`;

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
 * Delivers the outbox exactly once per mail while every worker lives, and with the duplicate
 * window as small as SMTP allows when one dies (decision 0019):
 *
 * 1. `claim` takes up to a batch of due mails in one platform statement (FOR UPDATE SKIP LOCKED,
 *    so workers share the work and never take the same row), marks them 'sending' and stamps them
 *    with a fresh lease id, the batch's fencing token, and a short lease. From now until the
 *    outcome is recorded, a heartbeat renews the lease of the rows that still carry the token.
 * 2. The text is read in each tenant's own transaction (the platform role cannot read it).
 * 3. `begin`, one statement for the batch, counts the attempt, fixes each Message-ID and notes
 *    when the SMTP transaction began, only on rows that still carry the token; only those go out.
 * 4. The SMTP client sends the batch and returns one outcome per mail; `record` writes them in
 *    one statement, again only on rows that still carry the token: 'sent' with the server's reply
 *    (its queue id), a retry with exponential backoff, or 'failed' after MAX_ATTEMPTS or at once
 *    on a permanent (5xx) refusal. Recording clears the token.
 *
 * A mail still 'sending' after its lease ended belonged to a process that died (or lost the
 * database for a whole lease). If its SMTP transaction had not begun, it is simply due again. If
 * it had, whether the server took it is unknown: it is reconciled, not silently re-sent: logged,
 * marked `mail:interrupted`, and sent again with the same Message-ID (or failed once out of
 * attempts). That re-send is the only duplicate a receiver may see, at most one per interruption.
 */
export function createMailer({
  db,
  smtpUrl,
  from,
  clock,
  logger,
  pollMs = 2_000,
  delivery = DEFAULT_SMTP_DELIVERY,
  smtpClient = (url) =>
    createSmtpClient({
      url,
      connections: delivery.connections,
      timeouts: { commandMs: delivery.commandTimeoutMs, dataEndMs: delivery.dataTimeoutMs },
      limits: delivery.limits,
      // Rates hold for all workers together, so they are counted where all workers see them.
      budget: createDatabaseRateBudget(db),
    }),
  lanes = 2,
  batchSize = BATCH,
  leaseMs = LEASE_MS,
  heartbeatMs = HEARTBEAT_MS,
}: MailerOptions) {
  /** The SMTP client, made by the first batch to send (the default loads its library then). */
  let client: SmtpClient | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const leaseEnd = (now: Date) => new Date(now.getTime() + leaseMs);

  /** Mails left 'sending' past their lease by a process that died (or was cut off) holding them. */
  async function reconcile(now: Date): Promise<void> {
    const rows = resultRows<{
      id: string;
      tenant_id: string;
      attempts: number;
      message_id: string | null;
      status: string;
    }>(
      await withPlatform(db, async (tx) => {
        // Claimed but never handed to SMTP: nothing was sent, so nothing to reconcile.
        await tx.execute(sql`
          update mail_outbox set status = 'pending', next_attempt_at = ${iso(now)}
          where status = 'sending' and next_attempt_at <= ${iso(now)} and send_started_at is null`);
        return tx.execute(sql`
          update mail_outbox set
            status = case when attempts >= ${MAX_ATTEMPTS} then 'failed' else 'pending' end,
            last_error = 'mail:interrupted', next_attempt_at = ${iso(now)}
          where status = 'sending' and next_attempt_at <= ${iso(now)} and send_started_at is not null
          returning id, tenant_id, attempts, message_id, status`);
      }),
    );
    for (const mail of rows) {
      logger.warn(
        {
          mailId: mail.id,
          tenantId: mail.tenant_id,
          attempts: mail.attempts,
          messageId: mail.message_id,
          giveUp: mail.status === 'failed',
        },
        'mail delivery was interrupted: the server may have it; sending again with the same Message-ID',
      );
    }
  }

  /** Step 1: due mails become this batch's, under a fresh token, in one statement. */
  async function claim(lease: string, now: Date): Promise<Claimed[]> {
    const rows = resultRows<{ id: string; tenant_id: string }>(
      await withPlatform(db, (tx) =>
        tx.execute(sql`
          with due as materialized (
            select id from mail_outbox
            where status = 'pending' and next_attempt_at <= ${iso(now)}
            order by next_attempt_at
            limit ${batchSize}
            for update skip locked
          )
          update mail_outbox m set
            status = 'sending', lease_id = ${lease}::uuid, next_attempt_at = ${iso(leaseEnd(now))},
            send_started_at = null
          from due where m.id = due.id
          returning m.id, m.tenant_id`),
      ),
    );
    return rows.map((row) => ({ id: row.id, tenantId: row.tenant_id }));
  }

  /** Renews the lease of every mail this batch still holds. */
  async function renew(lease: string): Promise<number> {
    const rows = await withPlatform(db, (tx) =>
      tx.execute(sql`
        update mail_outbox set next_attempt_at = ${iso(leaseEnd(clock()))}
        where lease_id = ${lease}::uuid and status = 'sending'
        returning id`),
    );
    return resultRows(rows).length;
  }

  /** Step 2: the claimed mails' text, read per tenant under its row-level security. */
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

  /** Step 3: the batch's SMTP transactions begin, on the rows this batch still holds. */
  async function begin(lease: string, contents: Content[]): Promise<Started[]> {
    if (contents.length === 0) return [];
    const values = sql.join(
      contents.map((mail) => sql`(${mail.id}::uuid, ${messageIdOf(mail, from)})`),
      sql`, `,
    );
    const rows = resultRows<{ id: string; tenant_id: string; attempts: number; message_id: string }>(
      await withPlatform(db, (tx) =>
        tx.execute(sql`
          update mail_outbox m set
            attempts = m.attempts + 1, send_started_at = ${iso(clock())},
            message_id = coalesce(m.message_id, v.message_id)
          from (values ${values}) as v(id, message_id)
          where m.id = v.id and m.lease_id = ${lease}::uuid and m.status = 'sending'
          returning m.id, m.tenant_id, m.attempts, m.message_id`),
      ),
    );
    return rows.map((row) => ({
      id: row.id,
      tenantId: row.tenant_id,
      attempts: row.attempts,
      messageId: row.message_id,
    }));
  }

  /**
   * Step 4, one statement for the batch, only over rows that still carry its token: a worker that
   * took a mail over since (after this one's lease ended) keeps its own state. A 'sent' also
   * lands on a mail reconciled meanwhile but not yet claimed again: the server has it.
   */
  async function record(lease: string, outcomes: Outcome[]): Promise<number> {
    if (outcomes.length === 0) return 0;
    const text = (value: string | null) => sql`${value}::text`;
    const at = (value: Date | null) => (value ? iso(value) : sql`null::timestamptz`);
    const values = sql.join(
      outcomes.map(
        (o) =>
          sql`(${o.id}::uuid, ${o.status}::text, ${text(o.lastError)}, ${text(o.smtpReply)}, ${at(o.sentAt)}, ${at(o.nextAttemptAt)}, ${o.refund ? 1 : 0}::int)`,
      ),
      sql`, `,
    );
    const rows = await withPlatform(db, (tx) =>
      tx.execute(sql`
        update mail_outbox m set
          status = v.status, last_error = v.last_error, smtp_reply = v.smtp_reply,
          sent_at = coalesce(v.sent_at, m.sent_at), next_attempt_at = coalesce(v.next_at, m.next_attempt_at),
          attempts = m.attempts - v.refund,
          lease_id = null
        from (values ${values}) as v(id, status, last_error, smtp_reply, sent_at, next_at, refund)
        where m.id = v.id and m.lease_id = ${lease}::uuid
          and (m.status = 'sending' or (v.status = 'sent' and m.status = 'pending'))
        returning m.id`),
    );
    return resultRows(rows).length;
  }

  function outgoing(content: Content, messageId: string): OutgoingMail {
    return {
      messageId,
      from: { name: content.fromName ?? '', address: from },
      to: content.toAddress,
      ...(content.replyTo ? { replyTo: content.replyTo } : {}),
      subject: content.subject,
      text: content.textBody,
      ...(content.htmlBody ? { html: content.htmlBody } : {}),
      headers: content.headers,
      tenantId: content.tenantId,
    };
  }

  function outcomeOf(mail: Started, result: SendOutcome, report: DeliveryReport): Outcome {
    const now = clock();
    if (result.ok) {
      report.sent += 1;
      return {
        id: mail.id,
        status: 'sent',
        lastError: null,
        smtpReply: smtpReplyOf(result.response),
        sentAt: now,
        nextAttemptAt: null,
        refund: false,
      };
    }
    if (result.code === RATE_LIMITED) {
      // Held back by the tenant's or the domain's rate, never offered to the server: a limit set
      // low on purpose must slow delivery down, not use up the attempts and fail the mail.
      report.retrying += 1;
      return {
        id: mail.id,
        status: 'pending',
        lastError: RATE_LIMITED,
        smtpReply: null,
        sentAt: null,
        nextAttemptAt: new Date(now.getTime() + LIMITED_RETRY_MS),
        refund: true,
      };
    }
    const giveUp = mail.attempts >= MAX_ATTEMPTS || result.permanent;
    logger.warn(
      { mailId: mail.id, tenantId: mail.tenantId, attempts: mail.attempts, code: result.code, giveUp },
      'mail not delivered',
    );
    if (giveUp) report.failed += 1;
    else report.retrying += 1;
    return {
      id: mail.id,
      status: giveUp ? 'failed' : 'pending',
      lastError: result.code.slice(0, 120),
      smtpReply: null,
      sentAt: null,
      nextAttemptAt: giveUp ? null : new Date(now.getTime() + RETRY_BASE_MS * 2 ** (mail.attempts - 1)),
      refund: false,
    };
  }

  /** One batch from claim to record; returns how many mails it claimed (0: nothing is due). */
  async function deliverBatch(url: string, report: DeliveryReport): Promise<number> {
    const lease = randomUUID();
    const claimed = await claim(lease, clock());
    if (claimed.length === 0) return 0;
    let renewing: Promise<unknown> = Promise.resolve();
    const heartbeat = setInterval(() => {
      renewing = renew(lease).catch((error: unknown) =>
        logger.error({ err: { type: (error as Error).name } }, 'renewing a mail lease failed'),
      );
    }, heartbeatMs);
    try {
      const contents = await contentOf(claimed);
      const started = await begin(lease, [...contents.values()]);
      client ??= smtpClient(url);
      const mails = started.flatMap((mail) => {
        const content = contents.get(mail.id);
        return content ? [outgoing(content, mail.messageId)] : [];
      });
      let results: SendOutcome[];
      try {
        results = await client.sendBatch(mails);
      } catch (error) {
        // The client broke as a whole: nothing is known of any mail, so each is retried.
        const code = error instanceof Error ? 'smtp:client' : 'smtp:error';
        results = mails.map(() => ({ ok: false, code, permanent: false }));
      }
      const outcomes = started.map((mail, index) =>
        outcomeOf(mail, results[index] ?? { ok: false, code: 'smtp:no_outcome', permanent: false }, report),
      );
      const recorded = await record(lease, outcomes);
      if (recorded < outcomes.length)
        logger.warn(
          { batch: outcomes.length, recorded },
          'mail outcomes not recorded: another worker holds those mails now',
        );
      logger.info({ claimed: claimed.length, handedOver: started.length }, 'mail batch delivered');
      return claimed.length;
    } finally {
      // Only now: until its outcomes are written, the batch is this worker's.
      clearInterval(heartbeat);
      await renewing;
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
    const url = smtpUrl;
    await reconcile(clock());
    let batches = 0;
    // Each lane claims its own batches (SKIP LOCKED keeps them apart) until nothing is due.
    async function lane() {
      while (!stopped && batches < MAX_BATCHES_PER_RUN) {
        batches += 1;
        if ((await deliverBatch(url, report)) < batchSize) return;
      }
    }
    await Promise.all(Array.from({ length: Math.max(1, lanes) }, lane));
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
      await client?.close();
    },
    /** True when mails go to an SMTP server, false when they are kept in the outbox. */
    get delivers() {
      return Boolean(smtpUrl);
    },
  };
}

export type Mailer = ReturnType<typeof createMailer>;
