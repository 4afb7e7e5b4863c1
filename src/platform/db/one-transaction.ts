import type { Database, Orm } from './client.js';

/**
 * Runs `work` with a Database whose every transaction (withTenant, withPlatform) is a savepoint of
 * one outer transaction, so that work spread over several services commits together or not at
 * all. The savepoints run one after another on the one connection, even when the work starts them
 * concurrently. The outer transaction holds that connection until the end: on the embedded
 * database nothing else runs meanwhile, so keep the work short and do not wait on other requests.
 */
export async function inOneTransaction<T>(db: Database, work: (db: Database) => Promise<T>): Promise<T> {
  return db.orm.transaction(async (tx) => {
    let queue: Promise<unknown> = Promise.resolve();
    const orm = Object.create(tx, {
      transaction: {
        value: (inner: Parameters<Orm['transaction']>[0]) => {
          const next = queue.then(() => tx.transaction(inner));
          queue = next.catch(() => {});
          return next;
        },
      },
    }) as Orm;
    const inner: Database = {
      kind: db.kind,
      orm,
      // Inside the one transaction: its statements share the outer transaction's connection.
      forLongWork: () => inner,
      runScript: () => Promise.reject(new Error('no scripts inside one transaction')),
      close: () => Promise.reject(new Error('the database of one transaction is not closed by its work')),
    };
    return work(inner);
  });
}
