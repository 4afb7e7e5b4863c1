import { type ApiRoute, defineRoute } from '../../platform/http/api-route.js';
import { evidenceList } from './evidence.contract.js';
import type { EvidenceService } from './evidence.service.js';

/** What these routes use of the services (the app passes them all). */
export interface EvidenceRouteServices {
  evidence: EvidenceService;
}

/** Live evidence under /api/v1: the latest results, and running the checks now. */
export function evidenceRoutes(services: EvidenceRouteServices): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/evidence',
      summary: 'The latest result of every live evidence check the published controls name',
      tag: 'evidence',
      permission: 'content:read',
      response: evidenceList,
      handler: ({ ctx }) => services.evidence.latest(ctx),
    }),
    defineRoute({
      method: 'POST',
      url: '/evidence/run',
      summary: 'Run the live evidence checks in use now (at most every 30 seconds; 429 otherwise)',
      tag: 'evidence',
      permission: 'content:publish',
      response: evidenceList,
      handler: ({ ctx }) => services.evidence.runNow(ctx),
    }),
  ];
}
