import { AppError } from '../errors.js';

/**
 * Permissions a service can demand. Roles (owner, admin, editor, viewer, auditor, custom) are sets
 * of these; the access module maps roles to permission sets.
 */
export const permissions = ['content:read', 'content:write', 'content:publish', 'published:read'] as const;
export type Permission = (typeof permissions)[number];

/** Who is acting: always a technical id, never a name or an e-mail address (they end up in logs). */
export interface Actor {
  readonly kind: 'user' | 'api_key' | 'system' | 'visitor';
  readonly id: string;
}

/**
 * What every tenant-scoped service call carries: the tenant, the actor and what the actor may do.
 * Services call `ctx.require(...)` on their first line; there is no way to run one without a context.
 */
export class ServiceContext {
  readonly #permissions: ReadonlySet<Permission>;

  constructor(
    readonly tenantId: string,
    readonly actor: Actor,
    granted: Iterable<Permission>,
  ) {
    this.#permissions = new Set(granted);
  }

  can(permission: Permission): boolean {
    return this.#permissions.has(permission);
  }

  require(permission: Permission): void {
    if (!this.#permissions.has(permission)) throw new AppError('auth.forbidden');
  }
}

/** A command-line operator acting on one tenant with every permission (CLI, demo seeding). */
export function systemContext(tenantId: string, id = 'cli'): ServiceContext {
  return new ServiceContext(tenantId, { kind: 'system', id }, permissions);
}

/** An anonymous visitor of the public site: may read what was published, nothing else. */
export function visitorContext(tenantId: string): ServiceContext {
  return new ServiceContext(tenantId, { kind: 'visitor', id: 'anonymous' }, ['published:read']);
}
