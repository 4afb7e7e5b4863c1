import { tenantIsolation } from './policy.js';

/**
 * The knowledge base behind questionnaire answers: a tenant's own question-and-answer entries, each
 * with the controls, FAQ entries and documents it rests on (by key or id, not by foreign key, so
 * an entry survives a control's rename in a trust-center file and says which reference went stale)
 * and a visibility that later public search filters on. `pg_trgm` ranks questions by trigram
 * similarity next to full-text search; it is a trusted extension (PostgreSQL 13+), so a database
 * owner without superuser may create it, and PGlite loads it from its contrib bundle.
 */
export const sql = /* sql */ `
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE knowledge_base_entries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  key text NOT NULL CHECK (key ~ '^[a-z0-9][a-z0-9-]{0,79}$'),
  question text NOT NULL CHECK (char_length(question) BETWEEN 1 AND 500),
  answer text NOT NULL CHECK (char_length(answer) BETWEEN 1 AND 5000),
  short_answer text CHECK (short_answer IN ('yes', 'no', 'not_applicable')),
  owner text NOT NULL DEFAULT '' CHECK (char_length(owner) <= 200),
  last_reviewed_on date,
  review_interval_days integer NOT NULL DEFAULT 365 CHECK (review_interval_days BETWEEN 1 AND 3660),
  refs jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(refs) = 'array' AND jsonb_array_length(refs) <= 30),
  visibility text NOT NULL DEFAULT 'internal' CHECK (visibility IN ('public', 'nda', 'internal')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, key)
);

${tenantIsolation('knowledge_base_entries', 'SELECT, INSERT, UPDATE, DELETE')}
`;
