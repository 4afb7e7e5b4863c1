import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { createTenantsService } from '../../modules/tenants/tenants.service.js';
import type { Database } from '../db/client.js';
import { withPlatform, withTenant } from '../db/tenancy.js';
import { mailOutbox } from './mail.schema.js';
import { enqueueMail } from './outbox.js';
import { MAIL_RETENTION_DAYS, redactedMail, redactFinishedMail } from './retention.js';

const DAY = 86_400_000;

describe.each(testDatabaseKinds)('mail outbox retention on $name', (kind) => {
  let db: Database;
  let tenantId = '';
  const start = new Date('2026-11-01T09:00:00Z');

  beforeAll(async () => {
    db = await kind.create();
    tenantId = (await createTenantsService({ db }).create({ slug: 'keep', name: 'Keep' })).id;
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await db.orm.delete(mailOutbox);
  });

  async function mail(subject: string, status: 'pending' | 'sent' | 'failed' | 'stored', createdAt = start) {
    const id = await withTenant(db, tenantId, (tx) =>
      enqueueMail(
        tx,
        tenantId,
        {
          to: 'reviewer@customer.example',
          subject,
          text: 'Your link: https://trust.example/t/keep/grant#secret',
          replyTo: 'security@keep.example',
          headers: { 'List-Unsubscribe': '<https://trust.example/u/secret>' },
          dedupeKey: `notice-1:${subject}`,
        },
        createdAt,
      ),
    );
    if (!id) throw new Error('not enqueued');
    if (status !== 'pending') await db.orm.update(mailOutbox).set({ status }).where(eq(mailOutbox.id, id));
    return id;
  }

  it(`blanks recipient, bodies and headers of finished mails older than ${MAIL_RETENTION_DAYS} days, and nothing else`, async () => {
    const sent = await mail('sent long ago', 'sent');
    const failed = await mail('failed long ago', 'failed');
    const stored = await mail('stored long ago', 'stored');
    const pending = await mail('still pending', 'pending');
    const recent = await mail('sent yesterday', 'sent', new Date(start.getTime() + 30 * DAY));
    const now = new Date(start.getTime() + 31 * DAY);

    expect(await redactFinishedMail(db, now)).toBe(3);
    const rows = new Map((await db.orm.select().from(mailOutbox)).map((row) => [row.id, row]));
    for (const id of [sent, failed, stored]) {
      expect(rows.get(id)).toMatchObject({
        toAddress: '(redacted)',
        replyTo: null,
        textBody: '',
        htmlBody: null,
        headers: {},
        redactedAt: now,
      });
      expect(JSON.stringify(rows.get(id))).not.toContain('secret');
    }
    expect(rows.get(stored)?.subject).toBe('stored long ago');
    for (const id of [pending, recent]) {
      expect(rows.get(id)).toMatchObject({ toAddress: 'reviewer@customer.example', redactedAt: null });
    }
    // Run again: nothing left to do. The dedupe key still stops a second copy of the same mail.
    expect(await redactFinishedMail(db, now)).toBe(0);
    expect(
      await withTenant(db, tenantId, (tx) =>
        enqueueMail(
          tx,
          tenantId,
          {
            to: 'reviewer@customer.example',
            subject: 'again',
            text: 'x',
            dedupeKey: 'notice-1:sent long ago',
          },
          now,
        ),
      ),
    ).toBeNull();
  });

  it('refuses any other change to what a mail says, even by the platform role', async () => {
    const pending = await mail('pending mail', 'pending');
    const sent = await mail('sent mail', 'sent');
    // Redacting a mail that is still to be delivered.
    await expect(
      withPlatform(db, (tx) =>
        tx.update(mailOutbox).set(redactedMail(start)).where(eq(mailOutbox.id, pending)),
      ),
    ).rejects.toThrow();
    // Rewriting a sent mail's text, or its recipient.
    await expect(
      withPlatform(db, (tx) =>
        tx.update(mailOutbox).set({ textBody: 'forged' }).where(eq(mailOutbox.id, sent)),
      ),
    ).rejects.toThrow();
    await expect(
      withPlatform(db, (tx) =>
        tx.update(mailOutbox).set({ toAddress: 'attacker@evil.example' }).where(eq(mailOutbox.id, pending)),
      ),
    ).rejects.toThrow();
    // The tenant's own role cannot update the outbox at all.
    await expect(
      withTenant(db, tenantId, (tx) => tx.execute(sql`update mail_outbox set subject = 'changed'`)),
    ).rejects.toThrow();
    const rows = await db.orm.select().from(mailOutbox);
    expect(rows.map((row) => row.toAddress)).toEqual([
      'reviewer@customer.example',
      'reviewer@customer.example',
    ]);
    expect(rows.map((row) => row.textBody).every((text) => text.startsWith('Your link'))).toBe(true);
  });
});
