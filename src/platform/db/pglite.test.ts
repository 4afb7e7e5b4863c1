import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { pgliteTemplate } from '../../../test/support/database-templates.js';
import { type Database, openDatabase, resultRows } from './client.js';
import { isSchemaCurrent } from './migrate.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-pglite-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function setting(db: Database, name: string): Promise<string> {
  const result = await db.orm.execute(sql`select current_setting(${name}) as value`);
  return resultRows<{ value: string }>(result)[0]?.value ?? '';
}

describe('embedded database (PGlite)', () => {
  it('starts with small shared buffers and the durability settings untouched', async () => {
    const db = await openDatabase({ pgliteDir: 'memory://', pgliteTemplate: await pgliteTemplate() });
    try {
      expect(await setting(db, 'shared_buffers')).toBe('8MB');
      // A commit still waits for its WAL write; full-page images still guard against torn pages.
      expect(await setting(db, 'synchronous_commit')).toBe('on');
      expect(await setting(db, 'full_page_writes')).toBe('on');
    } finally {
      await db.close();
    }
  });

  it('starts a memory database from a migrated template, with its schema current', async () => {
    const db = await openDatabase({ pgliteDir: 'memory://', pgliteTemplate: await pgliteTemplate() });
    try {
      expect(await isSchemaCurrent(db)).toBe(true);
    } finally {
      await db.close();
    }
  });

  it('creates a new data directory in place, and keeps what was committed across a reopen', async () => {
    const dir = path.join(tmp, 'data', 'pgdata');
    // What a first start killed midway would have left.
    fs.mkdirSync(`${dir}.initdb-1`, { recursive: true });
    fs.writeFileSync(path.join(`${dir}.initdb-1`, 'PG_VERSION'), '18');
    const first = await openDatabase({ pgliteDir: dir });
    try {
      await first.orm.execute(sql`create table kept (value text)`);
      await first.orm.execute(sql`insert into kept values ('committed')`);
    } finally {
      await first.close();
    }
    expect(fs.existsSync(path.join(dir, 'PG_VERSION'))).toBe(true);
    // The cluster was built beside the target and renamed: nothing half-made is left next to it.
    expect(fs.readdirSync(path.dirname(dir))).toEqual(['pgdata']);

    const again = await openDatabase({ pgliteDir: dir });
    try {
      const rows = resultRows<{ value: string }>(await again.orm.execute(sql`select value from kept`));
      expect(rows).toEqual([{ value: 'committed' }]);
      expect(await setting(again, 'shared_buffers')).toBe('8MB');
    } finally {
      await again.close();
    }
  }, 180_000);

  it('refuses a template for a data directory on disk', async () => {
    await expect(
      openDatabase({ pgliteDir: path.join(tmp, 'other'), pgliteTemplate: new Blob([]) }),
    ).rejects.toThrow(/only be loaded into memory/);
  });
});
