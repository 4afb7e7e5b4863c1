/**
 * What the mailer needs of an SMTP client: hand it a batch of mails, get one outcome per mail
 * back, in the same order. How the client reaches the server (pooled connections, pipelining,
 * limits per destination) is its own business; the mailer only decides what is due and records
 * what happened.
 */

/** One mail, ready to go: the mailer has read it from the outbox and fixed its Message-ID. */
export interface OutgoingMail {
  /** `<hash@domain>`: the same for every attempt, so receivers can drop a re-sent copy. */
  messageId: string;
  from: { name: string; address: string };
  to: string;
  replyTo?: string;
  subject: string;
  text: string;
  html?: string;
  /** Extra headers (List-Unsubscribe and friends), already validated by the outbox's schema. */
  headers: Record<string, string>;
  /** The tenant the mail is sent for: its per-tenant delivery limits apply (none without it). */
  tenantId?: string;
}

/**
 * What became of one mail. `code` is technical (`smtp:EENVELOPE:550`), never the server's text,
 * which may quote addresses. `permanent` is a 5xx refusal that retrying will not change.
 * `response` is the server's final reply to an accepted mail ("250 2.0.0 Ok: queued as 4F1B2C").
 */
export type SendOutcome =
  | { ok: true; response: string }
  | { ok: false; code: string; responseCode?: number; permanent: boolean };

export interface SmtpClient {
  /**
   * Sends every mail of the batch at most once and resolves with one outcome per mail, in input
   * order. One mail's failure is its outcome, never a rejection of the batch.
   */
  sendBatch(mails: readonly OutgoingMail[]): Promise<SendOutcome[]>;
  /** Closes every connection once the batches in flight have their outcomes. */
  close(): Promise<void>;
}
