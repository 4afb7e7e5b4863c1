import { AppError } from '../errors.js';

/**
 * Everything a service may demand. Roles (built-in owner, admin, editor, viewer, auditor, and
 * custom roles per tenant) are sets of these; API keys carry a subset as scopes.
 */
export const permissions = [
  'content:read',
  'content:write',
  'content:publish',
  'members:read',
  'members:manage',
  'roles:manage',
  'api_keys:read',
  'api_keys:manage',
  'audit:read',
  'settings:read',
  'settings:manage',
  'updates:write',
  'subscribers:read',
  'tenant:own',
  'documents:read',
  'documents:write',
  'access_requests:manage',
] as const;
export type Permission = (typeof permissions)[number];

/** Reading published snapshots: the public's only right, never part of a role. */
export type ServicePermission = Permission | 'published:read';

export function isPermission(value: string): value is Permission {
  return (permissions as readonly string[]).includes(value);
}

/** Who is acting: always a technical id, never a name or an e-mail address (they end up in logs). */
export interface Actor {
  readonly kind: 'user' | 'api_key' | 'system' | 'visitor';
  readonly id: string;
}

/**
 * What every tenant-scoped service call carries: the tenant, the actor, what the actor may do, and
 * the client's truncated address for the audit log. Services call `ctx.require(...)` on their first
 * line; there is no way to run one without a context.
 */
export class ServiceContext {
  readonly #permissions: ReadonlySet<ServicePermission>;

  constructor(
    readonly tenantId: string,
    readonly actor: Actor,
    granted: Iterable<ServicePermission>,
    readonly client: string | null = null,
    /**
     * The person accountable for what this actor does: the user themself, or for an API key the
     * user who created it. Keys made by a key inherit that person, so offboarding reaches them.
     */
    readonly onBehalfOf: string | null = actor.kind === 'user' ? actor.id : null,
  ) {
    this.#permissions = new Set(granted);
  }

  get permissions(): ServicePermission[] {
    return [...this.#permissions];
  }

  can(permission: ServicePermission): boolean {
    return this.#permissions.has(permission);
  }

  require(permission: ServicePermission): void {
    if (!this.#permissions.has(permission)) throw new AppError('auth.forbidden');
  }

  /** True when this actor holds every one of `wanted` (nobody grants more than they hold). */
  holdsAll(wanted: Iterable<string>): boolean {
    for (const permission of wanted)
      if (!this.#permissions.has(permission as ServicePermission)) return false;
    return true;
  }
}

/** A command-line operator acting on one tenant with every permission (CLI, demo seeding). */
export function systemContext(tenantId: string, id = 'cli'): ServiceContext {
  return new ServiceContext(tenantId, { kind: 'system', id }, [...permissions, 'published:read']);
}

/** An anonymous visitor of the public site: may read what was published, nothing else. */
export function visitorContext(tenantId: string): ServiceContext {
  return new ServiceContext(tenantId, { kind: 'visitor', id: 'anonymous' }, ['published:read']);
}
