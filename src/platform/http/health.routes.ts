import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/client.js';
import { isSchemaCurrent } from '../db/migrate.js';
import { within } from '../deadline.js';
import { RETRY_AFTER_SECONDS } from './error-handler.js';

/**
 * How long /readyz waits for the database: a probe must get an answer, and a database that takes
 * longer than this to say `select 1` is not ready to serve (decision 0023).
 */
export const READINESS_DEADLINE_MS = 1_500;

/**
 * /healthz: the process is up (liveness). /readyz: it can do its work, i.e. the database answers
 * within the deadline and every migration this build knows is applied (readiness; a load balancer
 * routes on it). A not-ready answer is a 503 with Retry-After.
 */
export async function registerHealthRoutes(
  app: FastifyInstance,
  { db, deadlineMs = READINESS_DEADLINE_MS }: { db: Database; deadlineMs?: number },
) {
  app.get('/healthz', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });

  app.get('/readyz', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    const checks = { database: false, migrations: false };
    const probe = (async () => {
      await db.orm.execute(sql`select 1`);
      checks.database = true;
      checks.migrations = await isSchemaCurrent(db);
    })().catch(() => {
      // Reported below as not ready; the reason stays out of the response.
    });
    const answered = await within(
      deadlineMs,
      probe.then(() => true),
      false,
    );
    if (!answered) checks.database = checks.migrations = false;
    const ready = checks.database && checks.migrations;
    if (!ready) reply.header('retry-after', RETRY_AFTER_SECONDS);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });
}
