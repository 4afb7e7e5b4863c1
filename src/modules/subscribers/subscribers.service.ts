import { and, arrayOverlaps, asc, count, desc, eq, gt, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { ServiceContext } from '../../platform/auth/context.js';
import type { Clock } from '../../platform/clock.js';
import type { Sealer } from '../../platform/crypto/sealing.js';
import { hashSecret, randomSecret } from '../../platform/crypto/tokens.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { AppError } from '../../platform/errors.js';
import { type PageQuery, pageQuery } from '../../platform/http/api-route.js';
import { enqueueMail } from '../../platform/mail/outbox.js';
import { auditLog } from '../audit/audit.service.js';
import { confirmationMail } from './confirmation-mail.js';
import { isUnsubscribeToken, readMailIdentity } from './mail-identity.js';
import { type SubscribeInput, subscribeInput } from './subscribers.contract.js';
import { subscribers, type Topic } from './subscribers.schema.js';
import './subscribers.errors.js';

/** How a tenant's mails to subscribers are signed and unsubscribed, for the notices module. */
export {
  listUnsubscribeHeaders,
  type MailIdentity,
  readMailIdentity,
  unsubscribeUrl,
} from './mail-identity.js';

const DAY_MS = 86_400_000;
/** An unconfirmed subscription, and a pending confirmation link, last this long. */
export const CONFIRMATION_DAYS = 7;

/** Subscriptions created before `cutoff` and never confirmed: purged after CONFIRMATION_DAYS. */
export function unconfirmedBefore(cutoff: Date) {
  return and(isNull(subscribers.confirmedAt), lt(subscribers.createdAt, cutoff));
}

/** How many unconfirmed subscriptions the tenant still holds from before `cutoff` (the retention check). */
export async function countUnconfirmedBefore(tx: Tx, cutoff: Date): Promise<number> {
  const [unconfirmed] = await tx.select({ n: count() }).from(subscribers).where(unconfirmedBefore(cutoff));
  return Number(unconfirmed?.n ?? 0);
}
/** Another confirmation mail to the same address is sent at most this often. */
const RESEND_AFTER_MS = 5 * 60_000;

/** Confirmed subscribers who want a notice of this topic, in id order after `after` (keyset pagination). */
export async function confirmedSubscribersBatch(
  tx: Tx,
  topic: Topic | null,
  after: string | null,
  limit: number,
): Promise<{ id: string; email: string }[]> {
  const wanted: Topic[] = topic ? [topic, 'all'] : ['all'];
  return tx
    .select({ id: subscribers.id, email: subscribers.email })
    .from(subscribers)
    .where(
      and(
        isNotNull(subscribers.confirmedAt),
        arrayOverlaps(subscribers.topics, wanted),
        after ? gt(subscribers.id, after) : undefined,
      ),
    )
    .orderBy(asc(subscribers.id))
    .limit(limit);
}

/**
 * Subscriptions by e-mail with double opt-in. The visitor-facing calls give the same answer
 * whether or not an address is known, and the addresses never leave this module except as the
 * recipient of a mail.
 */
export function createSubscribersService({
  db,
  sealer,
  clock,
  publicUrl,
  mailQueued = () => {},
}: {
  db: Database;
  sealer: Sealer;
  clock: Clock;
  publicUrl: string;
  /** Called after a commit that queued mail (the mailer's kick). */
  mailQueued?: () => void;
}) {
  const run = tenantTransaction({ db, clock, audit: auditLog });

  return {
    /**
     * Starts (or renews) a subscription and mails a single-use confirmation link. Nothing in the
     * result tells whether the address was already subscribed; a confirmed subscriber's topics
     * change only when the new link is confirmed.
     */
    async subscribe(ctx: ServiceContext, input: SubscribeInput): Promise<void> {
      ctx.require('published:read');
      const parsed = subscribeInput.parse(input);
      const now = clock();
      const token = randomSecret();
      const queued = await run(ctx, async (tx) => {
        const [existing] = await tx
          .select({ id: subscribers.id, confirmExpiresAt: subscribers.confirmExpiresAt })
          .from(subscribers)
          .where(eq(subscribers.email, parsed.email))
          .for('update');
        const issuedAt = existing?.confirmExpiresAt
          ? existing.confirmExpiresAt.getTime() - CONFIRMATION_DAYS * DAY_MS
          : null;
        // A repeat within minutes keeps the link already sent: nobody floods an inbox through us.
        if (issuedAt !== null && now.getTime() - issuedAt < RESEND_AFTER_MS) return false;
        const pending = {
          confirmTokenHash: hashSecret(token),
          confirmTopics: parsed.topics,
          confirmExpiresAt: new Date(now.getTime() + CONFIRMATION_DAYS * DAY_MS),
        };
        const [row] = await tx
          .insert(subscribers)
          .values({ tenantId: ctx.tenantId, email: parsed.email, topics: [], createdAt: now, ...pending })
          .onConflictDoUpdate({
            target: [subscribers.tenantId, subscribers.email],
            // An unconfirmed subscription's 7 days start again with its new link.
            set: {
              ...pending,
              createdAt: sql`case when ${subscribers.confirmedAt} is null then excluded.created_at else ${subscribers.createdAt} end`,
            },
          })
          .returning({ id: subscribers.id });
        if (!row) throw new Error('subscriber upsert returned no row');
        const identity = await readMailIdentity(tx, ctx.tenantId, { sealer, publicUrl });
        await enqueueMail(
          tx,
          ctx.tenantId,
          confirmationMail({
            identity,
            subscriberId: row.id,
            email: parsed.email,
            token,
            topics: parsed.topics,
          }),
          now,
        );
        return true;
      });
      if (queued) mailQueued();
    },

    /** Confirms with the single-use token from the mail; a used, expired or unknown token is a 404. */
    async confirm(ctx: ServiceContext, token: string): Promise<void> {
      ctx.require('published:read');
      const parsed = z.string().min(20).max(100).safeParse(token);
      if (!parsed.success) throw new AppError('subscription.link_invalid');
      const now = clock();
      await run(ctx, async (tx, audit) => {
        const [row] = await tx
          .update(subscribers)
          .set({
            topics: sql`${subscribers.confirmTopics}`,
            confirmedAt: sql`coalesce(${subscribers.confirmedAt}, ${now.toISOString()}::timestamptz)`,
            confirmTokenHash: null,
            confirmTopics: null,
            confirmExpiresAt: null,
          })
          .where(
            and(
              eq(subscribers.confirmTokenHash, hashSecret(parsed.data)),
              gt(subscribers.confirmExpiresAt, now),
            ),
          )
          .returning({ id: subscribers.id, topics: subscribers.topics });
        if (!row) throw new AppError('subscription.link_invalid');
        await audit.record(
          'subscriber.confirmed',
          { type: 'subscriber', id: row.id },
          { topics: row.topics },
        );
      });
    },

    /**
     * One-click unsubscribe (RFC 8058): the link's HMAC is the authorization, no sign-in. The
     * subscriber's row, address included, is deleted. Repeating it succeeds and changes nothing.
     */
    async unsubscribe(ctx: ServiceContext, subscriberId: string, token: string): Promise<void> {
      ctx.require('published:read');
      const id = z.uuid().safeParse(subscriberId);
      const secret = z.string().min(20).max(100).safeParse(token);
      if (!id.success || !secret.success) throw new AppError('subscription.link_invalid');
      await run(ctx, async (tx, audit) => {
        const identity = await readMailIdentity(tx, ctx.tenantId, { sealer, publicUrl });
        if (!isUnsubscribeToken(identity.listKey, id.data, secret.data)) {
          throw new AppError('subscription.link_invalid');
        }
        const deleted = await tx
          .delete(subscribers)
          .where(eq(subscribers.id, id.data))
          .returning({ id: subscribers.id });
        if (deleted.length === 0) return;
        await audit.record('subscriber.unsubscribed', { type: 'subscriber', id: id.data });
      });
    },

    async list(ctx: ServiceContext, input: Partial<PageQuery> = {}) {
      ctx.require('subscribers:read');
      const query = pageQuery.parse(input);
      return run(ctx, async (tx) => {
        const [counted] = await tx.select({ total: count() }).from(subscribers);
        const rows = await tx
          .select()
          .from(subscribers)
          .orderBy(desc(subscribers.createdAt), asc(subscribers.id))
          .limit(query.limit)
          .offset(query.offset);
        const total = Number(counted?.total ?? 0);
        const next = query.offset + rows.length;
        return {
          items: rows.map((row) => ({
            id: row.id,
            email: row.email,
            topics: row.topics,
            status: row.confirmedAt ? ('confirmed' as const) : ('pending' as const),
            confirmedAt: row.confirmedAt?.toISOString() ?? null,
            createdAt: row.createdAt.toISOString(),
          })),
          total,
          nextOffset: next < total ? next : null,
        };
      });
    },

    async counts(ctx: ServiceContext) {
      ctx.require('subscribers:read');
      return run(ctx, async (tx) => {
        const [row] = await tx
          .select({
            confirmed: sql<number>`count(*) filter (where ${subscribers.confirmedAt} is not null)`.mapWith(
              Number,
            ),
            pending: sql<number>`count(*) filter (where ${subscribers.confirmedAt} is null)`.mapWith(Number),
            subprocessors:
              sql<number>`count(*) filter (where ${subscribers.confirmedAt} is not null and 'subprocessors' = any(${subscribers.topics}))`.mapWith(
                Number,
              ),
            incidents:
              sql<number>`count(*) filter (where ${subscribers.confirmedAt} is not null and 'incidents' = any(${subscribers.topics}))`.mapWith(
                Number,
              ),
            all: sql<number>`count(*) filter (where ${subscribers.confirmedAt} is not null and 'all' = any(${subscribers.topics}))`.mapWith(
              Number,
            ),
          })
          .from(subscribers);
        return {
          confirmed: row?.confirmed ?? 0,
          pending: row?.pending ?? 0,
          byTopic: {
            subprocessors: row?.subprocessors ?? 0,
            incidents: row?.incidents ?? 0,
            all: row?.all ?? 0,
          },
        };
      });
    },

    /**
     * Retention (scheduled): subscriptions never confirmed are deleted after CONFIRMATION_DAYS;
     * a confirmed subscriber's expired topic change is dropped. Returns how many were deleted.
     */
    async purgeUnconfirmed(tenantId: string): Promise<number> {
      const now = clock();
      const cutoff = new Date(now.getTime() - CONFIRMATION_DAYS * DAY_MS);
      return run({ tenantId }, async (tx) => {
        const deleted = await tx
          .delete(subscribers)
          .where(unconfirmedBefore(cutoff))
          .returning({ id: subscribers.id });
        await tx
          .update(subscribers)
          .set({ confirmTokenHash: null, confirmTopics: null, confirmExpiresAt: null })
          .where(and(isNotNull(subscribers.confirmedAt), lt(subscribers.confirmExpiresAt, now)));
        return deleted.length;
      });
    },
  };
}

export type SubscribersService = ReturnType<typeof createSubscribersService>;
