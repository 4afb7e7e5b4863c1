import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type TestDatabaseKind, testDatabaseKinds } from '../../../test/support/databases.js';
import { systemContext } from '../../platform/auth/context.js';
import { Sealer } from '../../platform/crypto/sealing.js';
import type { Database } from '../../platform/db/client.js';
import { withPlatform } from '../../platform/db/tenancy.js';
import { createLocalBlobStore } from '../../platform/storage/local-blob-store.js';
import { createServices } from '../../services.js';
import { users } from '../accounts/accounts.schema.js';
import { DEMO_SLUG, demoDocument, seedDemo } from './demo.js';

const OWNER = { email: 'owner@seed.example', password: 'a quiet unusual harbour 6620' };

describe.each(testDatabaseKinds)('seeding the demo on $name', (kind: TestDatabaseKind) => {
  const opened: { db: Database; blobs: string }[] = [];

  async function fresh() {
    const db = await kind.create();
    const blobs = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-demo-blobs-'));
    opened.push({ db, blobs });
    const sealer = new Sealer(randomBytes(32));
    const servicesOn = (on: Database) =>
      createServices({ db: on, sealer, blobs: createLocalBlobStore(blobs) });
    return { db, blobs, services: servicesOn(db), servicesOn };
  }

  afterEach(async () => {
    for (const { db, blobs } of opened.splice(0)) {
      await db.close();
      fs.rmSync(blobs, { recursive: true, force: true });
    }
  });

  async function userCount(db: Database): Promise<number> {
    return (await withPlatform(db, (tx) => tx.select({ id: users.id }).from(users))).length;
  }

  it('creates the tenant, its owner and its content together, and nothing on the next start', async () => {
    const { db, services, servicesOn } = await fresh();
    const seeded = await seedDemo({ services, db, servicesOn }, OWNER);
    expect(seeded?.created).toBe(true);
    const ctx = systemContext(seeded?.tenant.id ?? '');
    expect((await services.members.list(ctx)).map((member) => [member.email, member.role])).toEqual([
      [OWNER.email, 'owner'],
    ]);
    expect((await services.publishing.history(ctx)).length).toBeGreaterThan(0);
    expect((await services.posts.list(ctx)).total).toBe(2);
    expect((await services.documents.list(ctx)).length).toBe(1);
    // Attest itself is not audited: the demo shows no certification badge.
    expect(await services.certifications.list(ctx)).toEqual([]);
    const login = await services.sessions.login(
      { ...OWNER, tenant: DEMO_SLUG },
      { client: '127.0.0.0', userAgent: null },
    );
    expect(login.cookie).toBeTruthy();
    expect(await seedDemo({ services, db, servicesOn }, OWNER)).toBeNull();
  });

  it('leaves nothing behind when a step fails, or when the password is weak, so the next start seeds it whole', async () => {
    const { db, blobs, services, servicesOn } = await fresh();
    const failing = (on: Database) => {
      const real = servicesOn(on);
      return {
        ...real,
        documents: {
          ...real.documents,
          create: () => Promise.reject(new Error('the disk is full')),
        },
      };
    };
    await expect(seedDemo({ services, db, servicesOn: failing }, OWNER)).rejects.toThrow('the disk is full');
    expect(await services.tenants.isEmpty()).toBe(true);
    expect(await userCount(db)).toBe(0);
    expect(fs.readdirSync(blobs)).toEqual([]);

    await expect(
      seedDemo({ services, db, servicesOn }, { email: OWNER.email, password: 'password' }),
    ).rejects.toMatchObject({ code: 'auth.weak_password' });
    expect(await services.tenants.isEmpty()).toBe(true);
    expect(await userCount(db)).toBe(0);

    expect((await seedDemo({ services, db, servicesOn }, OWNER))?.created).toBe(true);
  });

  it('gives a demo that an earlier start left without an owner its owner, and leaves any other tenant alone', async () => {
    const { db, services, servicesOn } = await fresh();
    // What the seed did before it ran in one transaction, up to the owner's weak password.
    const ownerless = await services.tenants.create({ slug: DEMO_SLUG, name: 'Attest Demo' });
    await services.transfer.importDraft(systemContext(ownerless.id, 'demo-seed'), demoDocument(), {
      publish: true,
    });
    const repaired = await seedDemo({ services, db, servicesOn }, OWNER);
    expect(repaired).toMatchObject({ created: false, tenant: { id: ownerless.id } });
    expect((await services.members.list(systemContext(ownerless.id))).map((member) => member.role)).toEqual([
      'owner',
    ]);
    expect(await seedDemo({ services, db, servicesOn }, OWNER)).toBeNull();

    // A tenant an operator named "demo" is theirs: no seed wrote to it, so it gets no owner.
    const other = await fresh();
    const theirs = await other.services.tenants.create({ slug: DEMO_SLUG, name: 'Ours' });
    expect(await seedDemo({ ...other, services: other.services }, OWNER)).toBeNull();
    expect(await other.services.members.list(systemContext(theirs.id))).toEqual([]);
  });
});
