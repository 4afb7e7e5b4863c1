import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freshPostgresDatabase, hasPostgres } from '../../../test/support/databases.js';
import { createLogger } from '../logging/logger.js';
import { describePoolError, openDatabase } from './client.js';

function capturedLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger('info', destination), lines };
}

describe('database pool errors', () => {
  it('describes an error by type, code and message, with connection strings and passwords cut out', () => {
    const error = Object.assign(
      new Error(
        'could not connect to postgres://attest:hunter2-secret@db.internal:5432/attest (password=hunter2-secret)',
      ),
      { code: 'ECONNREFUSED' },
    );
    const described = describePoolError(error);
    expect(described).toMatchObject({ type: 'Error', code: 'ECONNREFUSED' });
    expect(JSON.stringify(described)).not.toContain('hunter2');
    expect(described.message).toContain('postgres://[redacted]');
  });

  // The embedded database has no pool: this is PostgreSQL's (node-postgres) only.
  it.runIf(hasPostgres)(
    'logs an idle connection the server terminated, without the password in the URL',
    async () => {
      const fresh = await freshPostgresDatabase();
      const withPassword = new URL(fresh.url);
      withPassword.password = 'pool-test-password';
      const captured = capturedLogger();
      const db = await openDatabase({ url: withPassword.toString(), logger: captured.logger });
      try {
        await db.orm.execute(sql`select 1`);
        // The pool's idle client loses its server, as in a restart or failover.
        const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
        await admin.connect();
        await admin.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [withPassword.pathname.slice(1)],
        );
        await admin.end();
        await expect.poll(() => captured.lines.length, { timeout: 5_000 }).toBeGreaterThan(0);
        const line = JSON.parse(captured.lines[0] ?? '{}');
        expect(line).toMatchObject({ level: 50, msg: 'database pool error', err: { code: '57P01' } });
        expect(captured.lines.join('\n')).not.toContain('pool-test-password');
        // The next query reconnects.
        await expect(db.orm.execute(sql`select 1`)).resolves.toBeDefined();
      } finally {
        await db.close();
        await fresh.drop();
      }
    },
  );
});
