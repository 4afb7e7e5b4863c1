import { createHash } from 'node:crypto';
import { desc } from 'drizzle-orm';
import type { ServiceContext } from '../../platform/auth/context.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { auditLog } from '../audit/audit.service.js';
import { type AccessRules, accessRulesInput, type NdaOutput, ndaInput } from './access.contract.js';
import { accessRules, ndaTexts } from './access.schema.js';
import { createRepublishing, type Republisher } from './republish.js';

export const defaultAccessRules: AccessRules = { autoApproveDomains: [], autoDenyDomains: [], grantDays: 30 };

export async function readAccessRules(tx: Tx): Promise<AccessRules> {
  const [row] = await tx.select().from(accessRules).limit(1);
  return row
    ? {
        autoApproveDomains: row.autoApproveDomains,
        autoDenyDomains: row.autoDenyDomains,
        grantDays: row.grantDays,
      }
    : { ...defaultAccessRules };
}

/** The SHA-256 of the exact NDA text, as stored and as a visitor's acceptance records it. */
export function ndaSha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A domain rule matches the address's domain and its subdomains ("example.com" covers "eu.example.com"). */
export function domainMatches(email: string, domains: readonly string[]): boolean {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  return domains.some((rule) => domain === rule || domain.endsWith(`.${rule}`));
}

/** The tenant's NDA (versioned, append-only) and its rules for deciding access requests. */
export function createAccessSettingsService({
  db,
  clock,
  publishing,
}: {
  db: Database;
  clock: Clock;
  publishing: Republisher;
}) {
  const run = tenantTransaction({ db, clock, audit: auditLog });
  const change = createRepublishing(run, publishing);

  async function readNda(tx: Tx): Promise<NdaOutput> {
    const rows = await tx.select().from(ndaTexts).orderBy(desc(ndaTexts.version));
    const current = rows[0];
    return {
      current: current
        ? {
            version: current.version,
            text: current.body,
            sha256: current.sha256,
            createdAt: current.createdAt.toISOString(),
          }
        : null,
      versions: rows.map((row) => ({
        version: row.version,
        sha256: row.sha256,
        createdAt: row.createdAt.toISOString(),
      })),
    };
  }

  return {
    async getNda(ctx: ServiceContext): Promise<NdaOutput> {
      ctx.require('documents:read');
      return run(ctx, readNda);
    },

    /** A new NDA version (unless the text is unchanged); it is shown on the documents page at once. */
    async setNda(ctx: ServiceContext, input: { text: string }): Promise<NdaOutput> {
      ctx.require('access_requests:manage');
      const { text } = ndaInput.parse(input);
      const sha256 = ndaSha256(text);
      return change(ctx, async (tx, audit) => {
        // Append-only (no row lock possible): a concurrent new version loses on the unique version and retries.
        const [latest] = await tx.select().from(ndaTexts).orderBy(desc(ndaTexts.version)).limit(1);
        if (latest?.sha256 !== sha256) {
          const now = clock();
          const version = (latest?.version ?? 0) + 1;
          await tx.insert(ndaTexts).values({
            tenantId: ctx.tenantId,
            version,
            body: text,
            sha256,
            createdBy: `${ctx.actor.kind}:${ctx.actor.id}`,
            createdAt: now,
          });
          await audit.record('nda.updated', { type: 'nda', id: String(version) }, { version, sha256 });
        }
        return readNda(tx);
      });
    },

    async getRules(ctx: ServiceContext): Promise<AccessRules> {
      ctx.require('access_requests:manage');
      return run(ctx, readAccessRules);
    },

    async setRules(ctx: ServiceContext, input: AccessRules): Promise<AccessRules> {
      ctx.require('access_requests:manage');
      const parsed = accessRulesInput.parse(input);
      const rules = {
        autoApproveDomains: [...new Set(parsed.autoApproveDomains)].sort(),
        autoDenyDomains: [...new Set(parsed.autoDenyDomains)].sort(),
        grantDays: parsed.grantDays,
      };
      return run(ctx, async (tx, audit) => {
        const now = clock();
        await tx
          .insert(accessRules)
          .values({ tenantId: ctx.tenantId, ...rules, updatedAt: now })
          .onConflictDoUpdate({ target: accessRules.tenantId, set: { ...rules, updatedAt: now } });
        await audit.record(
          'access_rules.updated',
          { type: 'tenant', id: ctx.tenantId },
          {
            autoApprove: rules.autoApproveDomains.length,
            autoDeny: rules.autoDenyDomains.length,
            grantDays: rules.grantDays,
          },
        );
        return rules;
      });
    },
  };
}

export type AccessSettingsService = ReturnType<typeof createAccessSettingsService>;
