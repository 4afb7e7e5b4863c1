import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresDatabase, hasPostgres } from '../../../test/support/databases.js';
import { refusedPort, startFaultProxy, startHangingServer } from '../../../test/support/tcp-faults.js';
import { openDatabase } from './client.js';
import { isDatabaseUnavailable } from './errors.js';

/** How long `work` took to settle, and how (an error is returned, not thrown). */
async function timed(work: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = performance.now();
  let error: unknown;
  try {
    await work();
  } catch (caught) {
    error = caught;
  }
  return { ms: performance.now() - started, error };
}

describe('PostgreSQL timeouts (decision 0023)', () => {
  it('gives up on a server that accepts connections and never answers, after the connect timeout', async () => {
    const hanging = await startHangingServer();
    const db = await openDatabase({
      url: `postgres://attest@127.0.0.1:${hanging.port}/attest`,
      timeouts: { connectMs: 400 },
    });
    try {
      const { ms, error } = await timed(() => db.orm.execute(sql`select 1`));
      expect(error).toBeInstanceOf(Error);
      expect(isDatabaseUnavailable(error)).toBe(true);
      expect(ms).toBeGreaterThanOrEqual(350);
      expect(ms).toBeLessThan(2_000);
    } finally {
      await db.close();
      await hanging.close();
    }
  });

  it('reports a refused connection as the database being unavailable', async () => {
    const db = await openDatabase({ url: `postgres://attest@127.0.0.1:${await refusedPort()}/attest` });
    try {
      const { ms, error } = await timed(() => db.orm.execute(sql`select 1`));
      expect(isDatabaseUnavailable(error)).toBe(true);
      expect(ms).toBeLessThan(2_000);
    } finally {
      await db.close();
    }
  });

  it('does not take a wrong request for an outage', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable(new Error('Cannot read properties of undefined'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });

  describe.runIf(hasPostgres)('on a real server', () => {
    let fresh: Awaited<ReturnType<typeof freshPostgresDatabase>>;
    beforeAll(async () => {
      fresh = await freshPostgresDatabase();
    });
    afterAll(async () => {
      await fresh?.drop();
    });

    it('cancels a statement past the statement timeout, and long work runs under its own', async () => {
      const db = await openDatabase({
        url: fresh.url,
        timeouts: { statementMs: 300, longStatementMs: 5_000 },
      });
      try {
        const { ms, error } = await timed(() => db.orm.execute(sql`select pg_sleep(2)`));
        expect((error as { cause?: { code?: string } }).cause?.code).toBe('57014'); // query_canceled
        expect(isDatabaseUnavailable(error)).toBe(true);
        expect(ms).toBeLessThan(1_500);
        // A migration or a purge: the same statement finishes on the long-work pool.
        await expect(db.forLongWork().orm.execute(sql`select pg_sleep(0.6)`)).resolves.toBeDefined();
        const setting = await db.forLongWork().orm.execute(sql`show statement_timeout`);
        expect(
          (setting as unknown as { rows: { statement_timeout: string }[] }).rows[0]?.statement_timeout,
        ).toBe('5s');
        // The pool is still usable after the cancelled statement.
        await expect(db.orm.execute(sql`select 1`)).resolves.toBeDefined();
      } finally {
        await db.close();
      }
    });

    it('ends a transaction left idle past the idle-in-transaction timeout', async () => {
      const db = await openDatabase({ url: fresh.url, timeouts: { idleInTransactionMs: 300 } });
      try {
        const { error } = await timed(() =>
          db.orm.transaction(async (tx) => {
            await tx.execute(sql`select 1`);
            await new Promise((resolve) => setTimeout(resolve, 800));
            await tx.execute(sql`select 1`);
          }),
        );
        expect(error).toBeInstanceOf(Error);
        expect(isDatabaseUnavailable(error)).toBe(true);
        await expect(db.orm.execute(sql`select 1`)).resolves.toBeDefined();
      } finally {
        await db.close();
      }
    });

    it('drops a connection whose server went silent mid-statement, and reconnects afterwards', async () => {
      const server = new URL(fresh.url);
      const proxy = await startFaultProxy({ host: server.hostname, port: Number(server.port || 5432) });
      const through = new URL(fresh.url);
      through.host = `127.0.0.1:${proxy.port}`;
      const db = await openDatabase({
        url: through.toString(),
        timeouts: { connectMs: 400, statementMs: 300, clientGraceMs: 300 },
      });
      try {
        await db.orm.execute(sql`select 1`);
        await proxy.set('hang'); // the open connection forwards nothing any more
        const { ms, error } = await timed(() => db.orm.execute(sql`select 1`));
        expect(isDatabaseUnavailable(error)).toBe(true);
        expect(ms).toBeLessThan(1_500);
        await proxy.set('forward');
        await expect(db.orm.execute(sql`select 1`)).resolves.toBeDefined();
      } finally {
        await db.close();
        await proxy.close();
      }
    });
  });
});
