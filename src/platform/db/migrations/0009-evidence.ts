import { tenantIsolation } from './policy.js';

/**
 * Live evidence: the latest result of each machine check per tenant, written by the worker (and
 * by "run now") under the tenant's own row-level security, read by the API and the public page.
 */
export const sql = /* sql */ `
CREATE TABLE evidence_results (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  check_key text NOT NULL CHECK (check_key ~ '^[a-z][a-z-]{0,62}$'),
  status text NOT NULL CHECK (status IN ('pass', 'fail', 'error')),
  summary text NOT NULL CHECK (char_length(summary) <= 300),
  facts jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(facts) = 'object'),
  checked_at timestamptz NOT NULL,
  duration_ms integer NOT NULL CHECK (duration_ms >= 0),
  PRIMARY KEY (tenant_id, check_key)
);

${tenantIsolation('evidence_results', 'SELECT, INSERT, UPDATE, DELETE')}
`;
