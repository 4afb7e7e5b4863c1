import { and, desc, eq, gt, inArray, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { ServiceContext } from '../../platform/auth/context.js';
import type { Clock } from '../../platform/clock.js';
import { hashSecret, randomSecret } from '../../platform/crypto/tokens.js';
import type { Database } from '../../platform/db/client.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { mailAddress } from '../../platform/mail/mail.contract.js';
import { enqueueMail } from '../../platform/mail/outbox.js';
import { auditLog, countEventsByTarget } from '../audit/audit.service.js';
import { newLinkMail } from './access.mails.js';
import { accessGrants } from './access.schema.js';
import { documents } from './documents.schema.js';
import { tenantSender } from './tenant-sender.js';

/** The public "send me a new link" form (application/x-www-form-urlencoded). */
export const newLinkForm = z.object({ email: mailAddress });

/** A visitor with more grants than this in force gets links to the newest ones. */
const MAX_LINKS_PER_REQUEST = 5;
/**
 * New links per grant per hour, whoever asks and from wherever: nobody can fill a visitor's
 * mailbox from many networks. Counted from the audit log, so no address is kept for it.
 */
const LINKS_PER_GRANT_PER_HOUR = 3;
const HOUR_MS = 3_600_000;

/**
 * New single-use links for a visitor whose access is still in force but whose browser session is
 * gone (another browser, cleared cookies, the session's cookie outlived by an extended grant). The
 * link goes only to the address the grant was made for, so asking for it proves nothing and gives
 * nothing to whoever asks; the public answer is the same whether or not the address has access.
 */
export function createVisitorLinksService({
  db,
  clock,
  publicUrl,
  mailQueued,
}: {
  db: Database;
  clock: Clock;
  publicUrl: string;
  mailQueued: () => void;
}) {
  const run = tenantTransaction({ db, clock, audit: auditLog });

  const inFlight = new Set<Promise<unknown>>();

  /** Replaces the link of each grant in force for `email` and mails them there; how many were sent. */
  async function sendNewLinks(ctx: ServiceContext, input: unknown): Promise<number> {
    ctx.require('published:read');
    const { email } = newLinkForm.parse(input);
    const now = clock();
    const sent = await run(ctx, async (tx, audit) => {
      const grants = await tx
        .select()
        .from(accessGrants)
        .where(
          and(eq(accessGrants.email, email), isNull(accessGrants.revokedAt), gt(accessGrants.expiresAt, now)),
        )
        .orderBy(desc(accessGrants.createdAt))
        .limit(MAX_LINKS_PER_REQUEST)
        .for('update');
      if (grants.length === 0) return 0;
      const recent = await countEventsByTarget(
        tx,
        'grant.link_sent',
        grants.map((grant) => grant.id),
        new Date(now.getTime() - HOUR_MS),
      );
      const spent = new Set(
        recent.filter((row) => row.count >= LINKS_PER_GRANT_PER_HOUR).map((row) => row.targetId),
      );
      const due = grants.filter((grant) => !spent.has(grant.id));
      if (due.length === 0) return 0;
      const sender = await tenantSender(tx, publicUrl);
      const ids = [...new Set(due.flatMap((grant) => grant.documentIds))];
      const rows = await tx
        .select({ id: documents.id, title: documents.title })
        .from(documents)
        .where(inArray(documents.id, ids));
      const titles = new Map(rows.map((row) => [row.id, row.title]));
      const links: { expiresAt: Date; documentTitles: string[]; link: string }[] = [];
      for (const grant of due) {
        const token = randomSecret();
        await tx
          .update(accessGrants)
          .set({ linkTokenHash: hashSecret(token), linkUsedAt: null })
          .where(eq(accessGrants.id, grant.id));
        links.push({
          expiresAt: grant.expiresAt,
          // A document deleted since the grant is simply not listed.
          documentTitles: grant.documentIds.flatMap((id) => {
            const title = titles.get(id);
            return title === undefined ? [] : [title];
          }),
          link: `${sender.siteUrl}/access/${token}`,
        });
        await audit.record('grant.link_sent', { type: 'access_grant', id: grant.id }, undefined, {
          actor: { kind: 'visitor', id: 'anonymous' },
        });
      }
      // One mail for all of them: one request, one mail, whatever the number of approvals.
      await enqueueMail(tx, ctx.tenantId, newLinkMail(sender, email, links), now);
      return due.length;
    });
    if (sent > 0) mailQueued();
    return sent;
  }

  return {
    sendNewLinks,
    /**
     * The public form's way in: the work runs after the answer, so how long the answer takes says
     * nothing about whether the address has access. Failures go to `onError` (a log line).
     */
    requestNewLinks(ctx: ServiceContext, input: unknown, onError: (error: unknown) => void): void {
      const work = sendNewLinks(ctx, input)
        .catch(onError)
        .finally(() => inFlight.delete(work));
      inFlight.add(work);
    },
    /** Resolves when the requests under way are done (shutdown, tests). */
    async settled(): Promise<void> {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
}

export type VisitorLinksService = ReturnType<typeof createVisitorLinksService>;
