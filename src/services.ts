import { createMembersService } from './modules/accounts/members.service.js';
import { createMfaService } from './modules/accounts/mfa.service.js';
import { createRolesService } from './modules/accounts/roles.service.js';
import { createSettingsService } from './modules/accounts/settings.service.js';
import { createUsersService } from './modules/accounts/users.service.js';
import { createApiKeysService } from './modules/api-keys/api-keys.service.js';
import { createAuditService } from './modules/audit/audit.service.js';
import { createControlsService } from './modules/content/controls.service.js';
import { createFaqService } from './modules/content/faq.service.js';
import { createProfileService } from './modules/content/profile.service.js';
import { createSubprocessorsService } from './modules/content/subprocessors.service.js';
import { createTransferService } from './modules/content/transfer.service.js';
import { createPublishingService, type PublishedListener } from './modules/publishing/publishing.service.js';
import { createLoginThrottle } from './modules/sessions/login-throttle.js';
import { createSessionsService } from './modules/sessions/sessions.service.js';
import { createTenantsService } from './modules/tenants/tenants.service.js';
import { type Clock, systemClock } from './platform/clock.js';
import type { Sealer } from './platform/crypto/sealing.js';
import type { Database } from './platform/db/client.js';

export interface ServiceDeps {
  db: Database;
  /** Seals TOTP secrets; built from the master key. */
  sealer: Sealer;
  clock?: Clock;
  onPublished?: PublishedListener;
}

/** The composition root of the domain services; every process role builds its own from here. */
export function createServices({ db, sealer, clock = systemClock, onPublished }: ServiceDeps) {
  const publishing = createPublishingService({ db, ...(onPublished ? { onPublished } : {}) });
  const tenants = createTenantsService({ db });
  const users = createUsersService({ db, clock });
  return {
    tenants,
    profile: createProfileService({ db }),
    controls: createControlsService({ db }),
    faq: createFaqService({ db }),
    subprocessors: createSubprocessorsService({ db }),
    publishing,
    transfer: createTransferService({ db, publishing }),
    users,
    members: createMembersService({ db, clock, users, tenants }),
    roles: createRolesService({ db, clock }),
    settings: createSettingsService({ db, clock }),
    mfa: createMfaService({ db, clock, sealer }),
    sessions: createSessionsService({
      db,
      clock,
      sealer,
      tenants,
      throttle: createLoginThrottle({ db, clock }),
    }),
    apiKeys: createApiKeysService({ db, clock }),
    audit: createAuditService({ db }),
  };
}

export type Services = ReturnType<typeof createServices>;
