import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../../src/platform/db/client.js';
import { runAttestCli } from './support/attest-server.js';

/** Runs SQL on the embedded database of a data directory no process is using (as a hand-made change would). */
async function onDatabase(dataDir: string, ...statements: string[]): Promise<void> {
  const db = await openDatabase({ pgliteDir: path.join(dataDir, 'pgdata') });
  try {
    for (const statement of statements) await db.orm.execute(sql.raw(statement));
  } finally {
    await db.close();
  }
}

describe('attest tenant delete when the database refuses', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'attest-e2e-delete-'));
    await cp(inject('attestTemplate'), dataDir, { recursive: true });
    await runAttestCli(dataDir, ['tenant', 'create', '--slug', 'leaving', '--name', 'Leaving Ltd']);
    // A foreign key added by hand that does not cascade blocks the deletion.
    await onDatabase(
      dataDir,
      'create table purge_blocker (tenant_id uuid references tenants (id))',
      "insert into purge_blocker select id from tenants where slug = 'leaving'",
    );
  }, 120_000);
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('says why and exits 1, lists the reason, and deletes once the cause is gone', async () => {
    await runAttestCli(dataDir, ['tenant', 'close', '--slug', 'leaving', '--days', '0']);
    const refused = runAttestCli(dataDir, ['tenant', 'delete', '--slug', 'leaving', '--confirm', 'leaving']);
    await expect(refused).rejects.toThrow(/exited with 1/);
    await expect(refused).rejects.toThrow(
      'tenant leaving was not deleted and keeps all its data: deleting the tenant failed: 23503 purge_blocker_tenant_id_fkey on purge_blocker',
    );
    expect(await runAttestCli(dataDir, ['tenant', 'list'])).toContain(
      'leaving\tclosing (deletion failed: 23503 purge_blocker_tenant_id_fkey on purge_blocker)',
    );

    await onDatabase(dataDir, 'drop table purge_blocker');
    expect(
      await runAttestCli(dataDir, ['tenant', 'delete', '--slug', 'leaving', '--confirm', 'leaving']),
    ).toContain('Deleted tenant leaving');
    expect(await runAttestCli(dataDir, ['tenant', 'list'])).not.toContain('leaving');
  }, 180_000);
});
