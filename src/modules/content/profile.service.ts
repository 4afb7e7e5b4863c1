import { eq } from 'drizzle-orm';
import type { ServiceContext } from '../../platform/auth/context.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { type ProfileInput, profileInput } from './content.contract.js';
import { trustProfiles } from './content.schema.js';

export interface Profile extends ProfileInput {
  updatedAt: Date | null;
}

const emptyProfile: Profile = {
  companyName: '',
  tagline: '',
  intro: '',
  securityContact: '',
  updatedAt: null,
};

export async function readProfile(tx: Tx, tenantId: string): Promise<Profile> {
  const [row] = await tx.select().from(trustProfiles).where(eq(trustProfiles.tenantId, tenantId)).limit(1);
  if (!row) return { ...emptyProfile };
  return {
    companyName: row.companyName,
    tagline: row.tagline,
    intro: row.intro,
    securityContact: row.securityContact,
    updatedAt: row.updatedAt,
  };
}

export async function writeProfile(tx: Tx, tenantId: string, input: ProfileInput): Promise<void> {
  const values = { ...input, updatedAt: new Date() };
  await tx
    .insert(trustProfiles)
    .values({ tenantId, ...values })
    .onConflictDoUpdate({ target: trustProfiles.tenantId, set: values });
}

/** The trust center's profile: company name, tagline, introduction, security contact. */
export function createProfileService({ db }: { db: Database }) {
  const run = tenantTransaction({ db });

  return {
    async get(ctx: ServiceContext): Promise<Profile> {
      ctx.require('content:read');
      return run(ctx, (tx) => readProfile(tx, ctx.tenantId));
    },

    async update(ctx: ServiceContext, input: ProfileInput): Promise<Profile> {
      ctx.require('content:write');
      const parsed = profileInput.parse(input);
      return run(ctx, async (tx) => {
        await writeProfile(tx, ctx.tenantId, parsed);
        return readProfile(tx, ctx.tenantId);
      });
    },
  };
}
