import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/client.js';
import { isSchemaCurrent } from '../db/migrate.js';

/**
 * /healthz: the process is up (liveness). /readyz: it can do its work, i.e. the database answers
 * and every migration this build knows is applied (readiness; a load balancer routes on it).
 */
export async function registerHealthRoutes(app: FastifyInstance, { db }: { db: Database }) {
  app.get('/healthz', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });

  app.get('/readyz', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    const checks = { database: false, migrations: false };
    try {
      await db.orm.execute(sql`select 1`);
      checks.database = true;
      checks.migrations = await isSchemaCurrent(db);
    } catch {
      // Reported below as not ready; the reason stays out of the response.
    }
    const ready = checks.database && checks.migrations;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });
}
