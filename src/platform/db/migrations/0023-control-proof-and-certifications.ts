import { tenantIsolation } from './policy.js';

/**
 * Every claim backed (decision 0031).
 *
 * - A control says how it is evidenced besides live checks: the tenant's documents that prove it
 *   (ids; the public page shows only those it publishes), public artifacts (a title and a link or
 *   a path in the source repository) and a statement attested by the company (who, when). The
 *   shapes are the application's to check; the database keeps each bounded.
 * - A certification (SOC 2 Type II, ISO 27001, …) is bound to the document that proves it: the
 *   foreign key carries the tenant, so it can name only its own tenant's document, and deleting the
 *   report deletes the certification with it (no badge without a report). `reminder_sent_on` is
 *   the end date a staff reminder went out for: set in the transaction that queues the mail, so two
 *   workers send it once, and a new end date (a renewal) is reminded again.
 */
export const sql = /* sql */ `
ALTER TABLE controls ADD COLUMN documents uuid[] NOT NULL DEFAULT '{}';
ALTER TABLE controls ADD COLUMN artifacts jsonb NOT NULL DEFAULT '[]';
ALTER TABLE controls ADD COLUMN attestation jsonb;
ALTER TABLE controls ADD CONSTRAINT controls_documents_bounded CHECK (
  cardinality(documents) <= 10 AND array_position(documents, NULL) IS NULL
);
ALTER TABLE controls ADD CONSTRAINT controls_artifacts_bounded CHECK (
  jsonb_typeof(artifacts) = 'array' AND jsonb_array_length(artifacts) <= 20
  AND octet_length(artifacts::text) <= 65536
);
ALTER TABLE controls ADD CONSTRAINT controls_attestation_bounded CHECK (
  attestation IS NULL OR (jsonb_typeof(attestation) = 'object' AND octet_length(attestation::text) <= 8192)
);

CREATE TABLE certifications (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 120),
  auditor text NOT NULL CHECK (char_length(auditor) BETWEEN 1 AND 200),
  scope text NOT NULL DEFAULT '' CHECK (char_length(scope) <= 2000),
  valid_from date NOT NULL,
  valid_until date NOT NULL,
  document_id uuid NOT NULL,
  document_sha256 text NOT NULL CHECK (document_sha256 ~ '^[0-9a-f]{64}$'),
  reminder_sent_on date,
  position integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CHECK (valid_until >= valid_from),
  FOREIGN KEY (tenant_id, document_id) REFERENCES documents (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX certifications_tenant ON certifications (tenant_id, valid_until);
CREATE INDEX certifications_document ON certifications (document_id);
${tenantIsolation('certifications', 'SELECT, INSERT, UPDATE, DELETE')}
`;
