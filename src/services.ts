import { createControlsService } from './modules/content/controls.service.js';
import { createFaqService } from './modules/content/faq.service.js';
import { createProfileService } from './modules/content/profile.service.js';
import { createSubprocessorsService } from './modules/content/subprocessors.service.js';
import { createTransferService } from './modules/content/transfer.service.js';
import { createPublishingService, type PublishedListener } from './modules/publishing/publishing.service.js';
import { createTenantsService } from './modules/tenants/tenants.service.js';
import type { Database } from './platform/db/client.js';

/** The composition root of the domain services; every process role builds its own from here. */
export function createServices({ db, onPublished }: { db: Database; onPublished?: PublishedListener }) {
  const publishing = createPublishingService({ db, ...(onPublished ? { onPublished } : {}) });
  return {
    tenants: createTenantsService({ db }),
    profile: createProfileService({ db }),
    controls: createControlsService({ db }),
    faq: createFaqService({ db }),
    subprocessors: createSubprocessorsService({ db }),
    publishing,
    transfer: createTransferService({ db, publishing }),
  };
}

export type Services = ReturnType<typeof createServices>;
