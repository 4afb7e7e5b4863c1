import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { ServiceContext } from '../../platform/auth/context.js';
import type { Clock } from '../../platform/clock.js';
import type { Sealer } from '../../platform/crypto/sealing.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { auditLog } from '../audit/audit.service.js';
import { type NotificationSettings, notificationSettingsInput } from './subscribers.contract.js';
import { notificationSettings } from './subscribers.schema.js';

export const defaultNotificationSettings: NotificationSettings = {
  noticePeriodDays: 30,
  senderName: '',
  replyTo: null,
};

export const listKeyPurpose = (tenantId: string) => `list-unsubscribe-key:${tenantId}`;

export async function readNotificationSettings(tx: Tx): Promise<NotificationSettings> {
  const [row] = await tx.select().from(notificationSettings).limit(1);
  return row
    ? { noticePeriodDays: row.noticePeriodDays, senderName: row.senderName, replyTo: row.replyTo }
    : { ...defaultNotificationSettings };
}

/**
 * The tenant's key for one-click unsubscribe links (an HMAC key, sealed with the master key),
 * created with the settings row on first use.
 */
export async function readListKey(tx: Tx, tenantId: string, sealer: Sealer): Promise<Buffer> {
  const [row] = await tx.select({ sealed: notificationSettings.listKeySealed }).from(notificationSettings);
  if (row) return sealer.open(row.sealed, listKeyPurpose(tenantId));
  const key = randomBytes(32);
  const inserted = await tx
    .insert(notificationSettings)
    .values({
      tenantId,
      ...defaultNotificationSettings,
      listKeySealed: sealer.seal(key, listKeyPurpose(tenantId)),
    })
    .onConflictDoNothing()
    .returning({ tenantId: notificationSettings.tenantId });
  if (inserted.length) return key;
  return readListKey(tx, tenantId, sealer);
}

/** Per tenant: the subprocessor notice period and how its mails are signed (sender name, reply-to). */
export function createNotificationSettingsService({
  db,
  sealer,
  clock,
}: {
  db: Database;
  sealer: Sealer;
  clock: Clock;
}) {
  const run = tenantTransaction({ db, clock, audit: auditLog });

  return {
    async get(ctx: ServiceContext): Promise<NotificationSettings> {
      ctx.require('settings:read');
      return run(ctx, readNotificationSettings);
    },

    async update(
      ctx: ServiceContext,
      input: z.input<typeof notificationSettingsInput>,
    ): Promise<NotificationSettings> {
      ctx.require('settings:manage');
      const parsed = notificationSettingsInput.parse(input);
      return run(ctx, async (tx, audit) => {
        await readListKey(tx, ctx.tenantId, sealer);
        const before = await readNotificationSettings(tx);
        await tx.update(notificationSettings).set({ ...parsed, updatedAt: clock() });
        // The reply-to is the tenant's own address, yet the audit log keeps no addresses at all.
        // The subprocessor-notice evidence reads the notice period: the log keeps what it was, too.
        await audit.record(
          'notification_settings.updated',
          { type: 'tenant', id: ctx.tenantId },
          {
            noticePeriodDays: parsed.noticePeriodDays,
            replyToSet: parsed.replyTo !== null,
            before: { noticePeriodDays: before.noticePeriodDays },
          },
        );
        return parsed;
      });
    },
  };
}

export type NotificationSettingsService = ReturnType<typeof createNotificationSettingsService>;
