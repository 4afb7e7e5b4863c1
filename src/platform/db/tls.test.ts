import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canRunPrivatePostgres,
  startTlsPostgres,
  type TlsPostgres,
} from '../../../test/support/tls-postgres.js';
import { type Database, openDatabase, resultRows } from './client.js';
import { migrate } from './migrate.js';

/**
 * DATABASE_URL with `sslmode=verify-full&sslrootcert=…`, as docs/deployment.md tells an operator to
 * connect to CloudNativePG: against a server that accepts TLS only, with a certificate for
 * `localhost` signed by a CA of its own.
 */
describe.runIf(canRunPrivatePostgres)('verified TLS to PostgreSQL (sslmode=verify-full)', () => {
  let server: TlsPostgres;
  const opened: Database[] = [];

  const urlFor = (host: string, ca: string, mode = 'verify-full') =>
    `postgres://postgres@${host}:${server.port}/postgres?sslmode=${mode}&sslrootcert=${encodeURIComponent(ca)}`;

  async function tryQuery(url: string): Promise<string> {
    const db = openDatabase({ url, timeouts: { connectMs: 3_000 } });
    opened.push(await db);
    try {
      await (await db).orm.execute(sql`select 1`);
      return 'connected';
    } catch (error) {
      // The driver's error, under the ORM's "Failed query" wrapper.
      let cause: unknown = error;
      while ((cause as { cause?: unknown }).cause instanceof Error) cause = (cause as { cause: Error }).cause;
      return `refused: ${(cause as Error).message}`;
    }
  }

  beforeAll(async () => {
    server = await startTlsPostgres({ hostnames: ['localhost'] });
  }, 60_000);

  afterAll(async () => {
    for (const db of opened) await db.close().catch(() => {});
    server?.stop();
  });

  it('connects over TLS 1.3 to a server whose certificate names the host, and the app migrates over it', async () => {
    const db = await openDatabase({ url: urlFor('localhost', server.caFile) });
    opened.push(db);
    const [row] = resultRows<{ ssl: boolean; version: string }>(
      await db.orm.execute(sql`select ssl, version from pg_stat_ssl where pid = pg_backend_pid()`),
    );
    expect(row).toEqual({ ssl: true, version: 'TLSv1.3' });
    const report = await migrate(db);
    expect(report.applied.length).toBeGreaterThan(10);
  }, 60_000);

  it('refuses a server whose certificate another CA signed', async () => {
    const outcome = await tryQuery(urlFor('localhost', server.otherCaFile));
    expect(outcome).toMatch(/^refused: .*(self-signed|unable to verify|certificate)/i);
  });

  it('refuses a certificate that does not name the host it was reached at', async () => {
    const outcome = await tryQuery(urlFor('127.0.0.1', server.caFile));
    expect(outcome).toMatch(/^refused: .*(altnames|does not match|Hostname)/i);
  });

  it('cannot connect without TLS at all', async () => {
    const outcome = await tryQuery(`postgres://postgres@127.0.0.1:${server.port}/postgres?sslmode=disable`);
    expect(outcome).toMatch(/^refused: .*(no pg_hba.conf entry|no encryption)/i);
  });
});
