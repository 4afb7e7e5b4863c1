import { createHash } from 'node:crypto';

/** The `prev_hash` of a tenant's first event. */
export const genesisHash = '0'.repeat(64);

/**
 * JSON with object keys sorted at every depth. jsonb keeps neither key order nor whitespace, so the
 * hash is computed over this form: the same details hash the same before and after the round trip.
 * Undefined members are left out, as JSON.stringify and jsonb both do.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
  return `{${members.join(',')}}`;
}

/** Everything an event's hash covers besides the previous hash. */
export interface ChainedFields {
  tenantId: string;
  seq: number;
  occurredAt: Date;
  actorKind: string;
  actorId: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  client: string | null;
  details: Record<string, unknown>;
}

/**
 * sha256(prevHash + "\n" + canonical JSON of the event). The tenant and the seq are inside, so an
 * event cannot be moved to another tenant or position without breaking its hash.
 */
export function eventHash(prevHash: string, fields: ChainedFields): string {
  const body = canonicalJson({
    tenantId: fields.tenantId,
    seq: fields.seq,
    occurredAt: fields.occurredAt.toISOString(),
    actorKind: fields.actorKind,
    actorId: fields.actorId,
    action: fields.action,
    targetType: fields.targetType,
    targetId: fields.targetId,
    client: fields.client,
    details: fields.details,
  });
  return createHash('sha256').update(`${prevHash}\n${body}`, 'utf8').digest('hex');
}
