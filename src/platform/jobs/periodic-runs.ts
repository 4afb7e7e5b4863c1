import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { resultRows } from '../db/client.js';
import { withPlatform } from '../db/tenancy.js';

/**
 * Whether this process runs the periodic job `job` now: true for exactly one caller per period,
 * however many workers tick at once (decision 0019). The claim moves the job's last start forward
 * in one statement; a concurrent claim waits for that row and then finds the period not yet over.
 * A last start further in the future than one period (a clock that was set back) does not block
 * the job for ever.
 */
export async function claimPeriodicRun(
  db: Database,
  job: string,
  now: Date,
  everyMs: number,
): Promise<boolean> {
  const at = now.toISOString();
  const rows = await withPlatform(db, (tx) =>
    tx.execute(sql`
      insert into worker_runs (job, last_run_at) values (${job}, ${at}::timestamptz)
      on conflict (job) do update set last_run_at = excluded.last_run_at
      where worker_runs.last_run_at <= ${at}::timestamptz - make_interval(secs => ${everyMs / 1000})
         or worker_runs.last_run_at > ${at}::timestamptz + make_interval(secs => ${everyMs / 1000})
      returning job`),
  );
  return resultRows(rows).length > 0;
}
