/**
 * Mail delivery with the smallest duplicate window SMTP allows (src/platform/mail/mailer.ts): the
 * Message-ID every attempt sends, when the SMTP transaction began ('sending' now means "handed to
 * the server, outcome not yet recorded") and the server's reply with its queue id.
 *
 * The mailer reads a mail's recipient and text in the tenant's own transaction, under row-level
 * security; the platform role keeps only the delivery columns, so no cross-tenant work can read a
 * tenant's mail (single-use links among it).
 */
export const sql = /* sql */ `
ALTER TABLE mail_outbox ADD COLUMN message_id text CHECK (message_id ~ '^<[0-9a-f]{32}@[A-Za-z0-9.-]{1,253}>$');
ALTER TABLE mail_outbox ADD COLUMN send_started_at timestamptz;
ALTER TABLE mail_outbox ADD COLUMN smtp_reply text CHECK (char_length(smtp_reply) <= 200);

REVOKE SELECT ON mail_outbox FROM attest_platform;
GRANT SELECT (id, tenant_id, status, attempts, next_attempt_at, created_at, sent_at, redacted_at,
  message_id, send_started_at) ON mail_outbox TO attest_platform;
GRANT UPDATE (message_id, send_started_at, smtp_reply) ON mail_outbox TO attest_platform;
`;
