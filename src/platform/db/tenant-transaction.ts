import type { Actor } from '../auth/context.js';
import { type Clock, systemClock } from '../clock.js';
import { AppError, type ErrorCode } from '../errors.js';
import type { Database, Tx } from './client.js';
import { pgErrorOf } from './errors.js';
import { withTenant } from './tenancy.js';

/**
 * Who a tenant transaction runs for: a ServiceContext fits, and so does a literal for flows that
 * have no context yet (sign-in, a visitor's link). `actor` is needed only to record audit events.
 */
export interface TenantScope {
  readonly tenantId: string;
  readonly actor?: Actor;
  readonly client?: string | null;
}

export interface AuditTarget {
  type: string;
  id: string;
}

/** One event as the audit module stores it; the platform only hands it over. */
export interface AuditEntry<Action extends string> {
  action: Action;
  actor: Actor;
  target: AuditTarget | null;
  client: string | null;
  details?: Record<string, unknown>;
}

/**
 * The hook the audit module fills (platform imports no module): appends one event inside the
 * caller's transaction, so it commits or rolls back with the change it records.
 */
export type AuditWriter<Action extends string> = (
  tx: Tx,
  tenantId: string,
  entry: AuditEntry<Action>,
  at: Date,
) => Promise<unknown>;

export interface AuditRecorder<Action extends string> {
  /**
   * Records `action` by the scope's actor, from the scope's client, at the clock's time. `actor`
   * is for the few events whose actor only exists inside the transaction (a visitor's new request);
   * `client: null` for events that never carried the client's address.
   */
  record(
    action: Action,
    target?: AuditTarget | null,
    details?: Record<string, unknown>,
    options?: { actor?: Actor; client?: string | null },
  ): Promise<void>;
}

type SqlState = '23505' | '23503' | '23514' | '22P02' | '22001' | '40001' | '40P01';

/** A module's names for the database errors it expects: by constraint first, then by SQLSTATE. */
export interface DatabaseErrorCodes {
  constraints?: Readonly<Record<string, ErrorCode>>;
  codes?: Readonly<Partial<Record<SqlState, ErrorCode>>>;
}

/**
 * What an error means when the module has not named it: a clear 409 or 400, never a 500. A
 * foreign-key violation is a conflict with what exists (a parent gone, a child still there).
 */
const defaultCodes: Record<SqlState, ErrorCode> = {
  '23505': 'request.conflict', // unique_violation
  '23503': 'request.conflict', // foreign_key_violation
  '23514': 'request.invalid', // check_violation: a bound the contract should already have caught
  '22P02': 'request.invalid', // invalid_text_representation
  '22001': 'request.invalid', // string_data_right_truncation
  '40001': 'request.concurrent_change', // serialization_failure
  '40P01': 'request.concurrent_change', // deadlock_detected
};

/** Throws the AppError a database error stands for; anything else (a bug) is rethrown as is. */
export function translateTenantError(error: unknown, errors: DatabaseErrorCodes = {}): never {
  if (error instanceof AppError) throw error;
  const pg = pgErrorOf(error);
  if (!pg) throw error;
  const state = pg.code as SqlState;
  const mapped =
    (pg.constraint ? errors.constraints?.[pg.constraint] : undefined) ??
    errors.codes?.[state] ??
    defaultCodes[state];
  if (mapped) throw new AppError(mapped);
  throw error;
}

export interface RunOptions {
  /** Runs the whole transaction again (up to `attempts` times in all) when `when` says so. */
  retry?: { attempts: number; when: (error: unknown) => boolean };
}

export type TenantTransaction<Action extends string> = <T>(
  scope: TenantScope,
  work: (tx: Tx, audit: AuditRecorder<Action>) => Promise<T>,
  options?: RunOptions,
) => Promise<T>;

/**
 * The one way a service opens a tenant transaction: withTenant, the module's error codes, and an
 * audit recorder bound to the scope. Wired once per service:
 *
 *   const run = tenantTransaction({ db, clock, audit: auditLog, errors: { constraints: {...} } });
 *   await run(ctx, async (tx, audit) => { ...; await audit.record('role.created', target, details); });
 */
export function tenantTransaction<Action extends string = never>({
  db,
  clock = systemClock,
  audit,
  errors = {},
}: {
  db: Database;
  clock?: Clock;
  audit?: AuditWriter<Action>;
  errors?: DatabaseErrorCodes;
}): TenantTransaction<Action> {
  function recorder(tx: Tx, scope: TenantScope): AuditRecorder<Action> {
    return {
      async record(action, target = null, details, options = {}) {
        const actor = options.actor ?? scope.actor;
        // A wiring bug, not bad input: a plain Error.
        if (!audit) throw new Error('this tenant transaction records no audit events');
        if (!actor) throw new Error(`audit event ${action} has no actor`);
        const client = options.client !== undefined ? options.client : (scope.client ?? null);
        await audit(tx, scope.tenantId, { action, actor, target, client, details }, clock());
      },
    };
  }

  return async function run<T>(
    scope: TenantScope,
    work: (tx: Tx, audit: AuditRecorder<Action>) => Promise<T>,
    options: RunOptions = {},
  ): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await withTenant(db, scope.tenantId, (tx) => work(tx, recorder(tx, scope)));
      } catch (error) {
        const { retry } = options;
        if (retry && attempt < retry.attempts && retry.when(error)) continue;
        translateTenantError(error, errors);
      }
    }
  };
}
