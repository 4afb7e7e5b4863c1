import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { Secret, TOTP } from 'otpauth';
import type { App } from '../../src/app.js';
import { createHostChecksService } from '../../src/modules/host-checks/host-checks.service.js';
import { systemContext, visitorContext } from '../../src/platform/auth/context.js';
import { resultRows } from '../../src/platform/db/client.js';
import { createNetGuard } from '../../src/platform/net/safe-connect.js';
import { sampleDocument } from './fixtures.js';

/*
 * A tenant with every kind of row the product can create, each made the way the product makes
 * it (through the services), for the purge test. Which tables must have a row is read from the
 * catalog (every table with a tenant_id column), so a new table fails that test until this
 * fixture gives it one.
 */

export const FULL_TENANT_PASSWORD = 'a long and unusual passphrase 4471';

/** Every table of the public schema that has a tenant_id column, by name. */
export async function tenantTables(app: App): Promise<string[]> {
  const rows = resultRows<{ table: string }>(
    await app.db.orm.execute(sql`
      select c.relname as table from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
      where n.nspname = 'public' and c.relkind in ('r', 'p') order by c.relname`),
  );
  return rows.map((row) => row.table);
}

/** Rows holding this tenant id, per table: every tenant_id column and every other uuid column. */
export async function rowsHolding(app: App, tenantId: string): Promise<Record<string, number>> {
  const columns = resultRows<{ table: string; column: string }>(
    await app.db.orm.execute(sql`
      select c.relname as table, a.attname as column from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      where n.nspname = 'public' and c.relkind in ('r', 'p') and a.atttypid = 'uuid'::regtype
      order by 1, 2`),
  );
  const counts: Record<string, number> = {};
  for (const { table, column } of columns) {
    const [row] = resultRows<{ n: number }>(
      await app.db.orm.execute(
        sql`select count(*)::int as n from ${sql.identifier(table)} where ${sql.identifier(column)} = ${tenantId}`,
      ),
    );
    if (row && row.n > 0) counts[`${table}.${column}`] = row.n;
  }
  return counts;
}

/** Rows per tenant table for this tenant (superuser connection: no row-level security). */
export async function tenantRowCounts(app: App, tenantId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await tenantTables(app)) {
    const [row] = resultRows<{ n: number }>(
      await app.db.orm.execute(
        sql`select count(*)::int as n from ${sql.identifier(table)} where tenant_id = ${tenantId}`,
      ),
    );
    counts[table] = row?.n ?? 0;
  }
  return counts;
}

function match(text: string, pattern: RegExp, what: string): string {
  const found = pattern.exec(text)?.[1];
  if (!found) throw new Error(`full tenant: no ${what} in: ${text}`);
  return found;
}

/** The newest stored mail to `address` (no SMTP server: mails stay in the outbox). */
async function lastMailTo(app: App, tenantId: string, address: string): Promise<string> {
  const { items } = await app.services.outbox.list(systemContext(tenantId), { limit: 100, offset: 0 });
  const mail = items.find((item) => item.to === address);
  if (!mail?.text) throw new Error(`full tenant: no mail to ${address}`);
  return mail.text;
}

/**
 * Builds the tenant. `sharedEmail` names a person who also works on another trust center: their
 * account must survive the purge.
 */
export async function buildFullTenant(
  app: App,
  slug: string,
  options: { sharedEmail?: string; clock?: () => Date } = {},
) {
  const { services } = app;
  const now = options.clock ?? (() => new Date());
  const tenant = await services.tenants.create({ slug, name: `${slug} Ltd` });
  const system = systemContext(tenant.id, 'purge-fixture');
  const visitor = visitorContext(tenant.id);
  const ownerEmail = `owner@${slug}.example`;

  // Content, a published snapshot and the audit log.
  await services.transfer.importDraft(system, sampleDocument(slug.toUpperCase()), { publish: true });
  const [control] = await services.controls.listControls(system);
  if (!control) throw new Error('full tenant: no control');
  await services.controls.updateControl(system, control.id, { evidence: ['tenant-isolation'] });

  // People, roles, invitations, settings, API keys and a signed-in session.
  const owner = await services.members.add(system, {
    email: ownerEmail,
    role: 'owner',
    password: FULL_TENANT_PASSWORD,
  });
  if (options.sharedEmail)
    await services.members.add(system, {
      email: options.sharedEmail,
      role: 'editor',
      password: FULL_TENANT_PASSWORD,
    });
  await services.roles.create(system, { key: 'reviewer', name: 'Reviewer', permissions: ['content:read'] });
  await services.members.invite(system, { email: `invitee@${slug}.example`, role: 'viewer' });
  await services.settings.update(system, {
    sessionIdleMinutes: 45,
    sessionAbsoluteHours: 10,
    requireMfa: false,
  });
  const key = await services.apiKeys.create(system, { name: 'CI key', scopes: ['content:read'] });
  await services.apiKeys.rotate(system, key.key.id, { overlapHours: 1 });
  await services.sessions.login(
    { tenant: slug, email: ownerEmail, password: FULL_TENANT_PASSWORD },
    { client: 'purge-fixture', userAgent: 'vitest' },
  );
  // A second factor: the account's sealed secret and its recovery codes.
  const { secret } = await services.mfa.setup(owner.userId, 'Attest');
  await services.mfa.enable(
    owner.userId,
    tenant.id,
    new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: now().getTime() }),
  );

  // Updates, incidents, an announced subprocessor change and its notice; subscribers.
  await services.notificationSettings.update(system, {
    noticePeriodDays: 30,
    senderName: `${slug} security`,
    replyTo: null,
  });
  const incident = await services.incidents.create(system, {
    title: 'Outage',
    detectedAt: now().toISOString(),
  });
  await services.posts.create(system, {
    kind: 'incident',
    title: 'Outage report',
    body: 'What happened.',
    incidentId: incident.id,
  });
  await services.subprocessorChanges.announce(system, {
    kind: 'add',
    subprocessor: { key: 'newcomer', name: 'Newcomer' },
    effectiveOn: new Date(now().getTime() + 40 * 86_400_000).toISOString().slice(0, 10),
  });
  const reader = `reader@customer-of-${slug}.example`;
  await services.subscribers.subscribe(visitor, { email: reader, topics: ['all'] });
  const confirmToken = match(await lastMailTo(app, tenant.id, reader), /[?&]token=([\w-]{20,100})/, 'token');
  await services.subscribers.confirm(visitor, confirmToken);

  // Documents (an encrypted file under the tenant's data key), a download, an NDA and its
  // acceptance, access rules, an approved request, its grant and a visitor session.
  await services.accessSettings.setNda(system, { text: `${slug} confidentiality terms` });
  await services.accessSettings.setRules(system, {
    autoApproveDomains: [],
    autoDenyDomains: ['spam.example'],
    grantDays: 20,
  });
  const document = await services.documents.create(
    system,
    { title: 'Pentest report', category: 'pentest', accessLevel: 'gated' },
    { filename: 'report.txt', data: Buffer.from(`${slug} pentest report`) },
  );
  await services.documents.readFile(system, document.id);
  await services.certifications.create(system, {
    name: 'SOC 2 Type II',
    auditor: `${slug} auditors`,
    validFrom: '2026-01-01',
    validUntil: '2027-12-31',
    documentId: document.id,
  });
  await services.publishing.publish(system);
  const published = await services.publishing.latest(visitor);
  const requester = `reviewer@customer-of-${slug}.example`;
  const request = await services.accessRequests.submit(
    visitor,
    { documents: published?.content.documents ?? [], nda: published?.content.nda },
    {
      name: 'Riley Reviewer',
      email: requester,
      company: 'Customer Co',
      reason: 'Vendor review',
      documentId: document.id,
      ndaVersion: String(published?.content.nda?.version),
      ndaAccepted: 'yes',
    },
  );
  await services.accessRequests.decide(system, request.requestId, { decision: 'approve' });
  const link = match(
    await lastMailTo(app, tenant.id, requester),
    /\/access\/([A-Za-z0-9_-]{43})/,
    'access link',
  );
  await services.grants.openLink(tenant.id, link, 'purge-fixture');

  // Live evidence.
  await services.evidence.runForTenant(tenant.id);

  // A check of the tenant's own host with one uptime probe (loopback allowed for this run only).
  const probed = http.createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => probed.listen(0, '127.0.0.1', resolve));
  try {
    await services.hostChecks.create(system, {
      kind: 'http-uptime',
      name: `${slug} portal`,
      target: `http://127.0.0.1:${(probed.address() as AddressInfo).port}/`,
    });
    const allowed = createHostChecksService({
      db: app.db,
      clock: now,
      guard: createNetGuard({ allowPrivate: '127.0.0.0/8' }),
    });
    await allowed.runDue();
  } finally {
    await new Promise<void>((resolve) => probed.close(() => resolve()));
  }
  // A complete export requested (the worker would run it).
  await services.tenantExports.request(system);
  // A knowledge-base entry, as a questionnaire answer would leave one.
  await services.knowledgeBase.create(system, {
    key: `${slug}-encryption`,
    question: 'Is customer data encrypted at rest?',
    answer: 'Yes, with AES-256.',
  });

  return { tenant, system, ownerId: owner.userId, documentId: document.id };
}
