import { tenantIsolation } from './policy.js';

/**
 * The mail outbox (transactional outbox): a mail is a row written in the same tenant transaction as
 * the change it reports, so it is sent if and only if that change commits. The dispatcher runs as
 * attest_platform across tenants and may only read rows and move their delivery state; it cannot
 * insert mails or change what they say.
 */
export const sql = /* sql */ `
CREATE TABLE mail_outbox (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  to_address text NOT NULL CHECK (char_length(to_address) BETWEEN 3 AND 254),
  from_name text CHECK (char_length(from_name) <= 200),
  reply_to text CHECK (char_length(reply_to) <= 254),
  subject text NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 300),
  text_body text NOT NULL CHECK (char_length(text_body) <= 100000),
  html_body text CHECK (char_length(html_body) <= 300000),
  headers jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(headers) = 'object'),
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'stored')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text CHECK (char_length(last_error) <= 120),
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  dedupe_key text CHECK (char_length(dedupe_key) BETWEEN 1 AND 200),
  UNIQUE (tenant_id, dedupe_key)
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX mail_outbox_recent ON mail_outbox (tenant_id, created_at DESC);

${tenantIsolation('mail_outbox', 'SELECT, INSERT')}
-- The dispatcher: every tenant's rows, delivery columns only.
CREATE POLICY platform_delivers_mail ON mail_outbox TO attest_platform USING (true) WITH CHECK (true);
GRANT SELECT ON mail_outbox TO attest_platform;
GRANT UPDATE (status, attempts, next_attempt_at, last_error, sent_at) ON mail_outbox TO attest_platform;
`;
