import { verifyAuditChain } from '../../audit/audit.service.js';
import { type CheckOutcome, type EvidenceCheck, plural } from './check.js';

const reasons: Record<'sequence_gap' | 'prev_hash_mismatch' | 'hash_mismatch', string> = {
  sequence_gap: 'an event is missing',
  prev_hash_mismatch: 'an event does not link to the one before it',
  hash_mismatch: "an event's content does not match its hash",
};

/** The audit service's own verification: the whole chain recomputed, first event to last. */
export const auditLogIntegrity: EvidenceCheck = async ({ db, tenantId }): Promise<CheckOutcome> => {
  const result = await verifyAuditChain(db, tenantId);
  if (result.ok) {
    return {
      status: 'pass',
      summary: `The audit log's hash chain was recomputed over all ${plural(result.events, 'event')} and is unbroken.`,
      facts: { events: result.events, intact: true },
    };
  }
  const { reason, brokenAt } = result;
  return {
    status: 'fail',
    summary: `The audit log's hash chain breaks at event ${brokenAt}: ${reasons[reason]}.`,
    facts: { eventsIntact: result.events, brokenAt, reason, intact: false },
  };
};
