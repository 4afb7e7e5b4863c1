/**
 * Retention of the mail outbox: once a mail is finished (sent, failed for good, or stored because
 * no SMTP server is configured) and older than the retention period, its recipient, bodies and
 * headers are blanked. The row stays, so its dedupe key still keeps a retried notice from mailing
 * the same subscriber twice, and the console still shows that a mail went out and when.
 *
 * The platform role (the mailer and the scheduler) may write those columns, and a trigger allows
 * exactly one such change, for every role: into the redacted form, of a finished mail.
 */
export const sql = /* sql */ `
ALTER TABLE mail_outbox ADD COLUMN redacted_at timestamptz;

CREATE INDEX mail_outbox_unredacted ON mail_outbox (created_at) WHERE redacted_at IS NULL;

CREATE FUNCTION mail_outbox_content_is_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.to_address, NEW.reply_to, NEW.subject, NEW.text_body, NEW.html_body, NEW.headers, NEW.redacted_at)
     IS NOT DISTINCT FROM
     (OLD.to_address, OLD.reply_to, OLD.subject, OLD.text_body, OLD.html_body, OLD.headers, OLD.redacted_at) THEN
    RETURN NEW;
  END IF;
  IF OLD.redacted_at IS NULL
     AND OLD.status IN ('sent', 'failed', 'stored') AND NEW.status = OLD.status
     AND NEW.redacted_at IS NOT NULL
     AND NEW.to_address = '(redacted)' AND NEW.reply_to IS NULL AND NEW.text_body = ''
     AND NEW.html_body IS NULL AND NEW.headers = '{}'::jsonb AND NEW.subject = OLD.subject THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'a mail''s content cannot change, except redacting a finished mail'
    USING ERRCODE = 'check_violation';
END
$$;

CREATE TRIGGER mail_outbox_content_is_fixed BEFORE UPDATE ON mail_outbox
  FOR EACH ROW EXECUTE FUNCTION mail_outbox_content_is_fixed();

GRANT UPDATE (to_address, reply_to, text_body, html_body, headers, redacted_at) ON mail_outbox TO attest_platform;
`;
