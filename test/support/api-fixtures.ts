import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { type App, createApp } from '../../src/app.js';
import type { TrustCenterDocument } from '../../src/modules/content/content.contract.js';
import { notices } from '../../src/modules/notices/notices.schema.js';
import { claimExport, runExport } from '../../src/modules/tenant-export/tenant-export.jobs.js';
import {
  permissions,
  ServiceContext,
  systemContext,
  visitorContext,
} from '../../src/platform/auth/context.js';
import { builtInRoles } from '../../src/platform/auth/roles.js';
import { Sealer } from '../../src/platform/crypto/sealing.js';
import type { ApiRoute } from '../../src/platform/http/api-route.js';
import { mailOutbox } from '../../src/platform/mail/mail.schema.js';
import type { TestDatabaseKind } from './databases.js';
import { multipart } from './documents.js';
import { sampleDocument } from './fixtures.js';
import { checkResponseContracts } from './response-contracts.js';

/*
 * Two populated tenants on one app, for tests that cross every API route with every kind of
 * caller (test/isolation). Tenant A has one object of each kind an API route can name; tenant B
 * is the intruder. Everything is built through the services, as an operator would.
 */

export const PASSWORD = 'a long unique passphrase 8271';
/** createApp's default public URL: the issuer of the app's JWTs. */
export const ISSUER = 'http://127.0.0.1:3000';

/** A clock the test moves (token and key expiry); everything of the app that expires reads it. */
export interface MovableClock {
  (): Date;
  advance(ms: number): void;
  reset(): void;
}

export function movableClock(): MovableClock {
  const start = Date.now();
  let now = start;
  const clock = (() => new Date(now)) as MovableClock;
  clock.advance = (ms) => {
    now += ms;
  };
  clock.reset = () => {
    now = start;
  };
  return clock;
}

export interface TenantA {
  id: string;
  slug: string;
  ownerId: string;
  viewerId: string;
  owner: ServiceContext;
  system: ServiceContext;
  /** The category the object routes name (it holds one control of its own). */
  categoryId: string;
  /** The sample document's category, where new controls go. */
  infrastructureCategoryId: string;
  controlId: string;
  faqId: string;
  subprocessorId: string;
  invitationId: string;
  roleKey: string;
  /** The key the /api-keys/:id routes name. */
  objectKeyId: string;
  revokedKey: string;
  /** Expires one day after set-up. */
  expiringKey: string;
  liveKey: string;
  latestVersion: number;
  /** A draft update post, an incident, a scheduled subprocessor change and a failed notice. */
  updateId: string;
  incidentId: string;
  changeId: string;
  noticeId: string;
  /** A mail in the outbox, failed for good. */
  mailId: string;
  /** A gated document (with one logged download), a pending access request and a grant. */
  documentId: string;
  accessRequestId: string;
  grantId: string;
  /** A check of one of A's hosts (never run: nothing in the matrix reaches out). */
  hostCheckId: string;
  /** A certification whose report is the gated document. */
  certificationId: string;
  /** A finished complete export, and the query of its single-use download link. */
  exportId: string;
  exportDownloadQuery: string;
  /** A knowledge-base entry (NDA-only). */
  knowledgeEntryId: string;
  /** Strings and ids of A that must never appear in an answer to B. */
  markers: string[];
}

export interface TenantB {
  id: string;
  slug: string;
  ownerId: string;
  owner: ServiceContext;
  /** All scopes. */
  apiKey: string;
}

export interface MatrixWorld {
  app: App;
  sealer: Sealer;
  clock: MovableClock;
  a: TenantA;
  b: TenantB;
}

function ownerContext(tenantId: string, userId: string): ServiceContext {
  return new ServiceContext(tenantId, { kind: 'user', id: userId }, builtInRoles.owner.permissions);
}

/** A's second and third published versions: a changed tagline, then an extra category. */
function editedDocument(edition: 2 | 3): TrustCenterDocument {
  const document = sampleDocument('A');
  document.profile.tagline = `A tagline, edition ${edition}`;
  if (edition === 3) {
    document.categories.push({
      key: 'a-extra',
      name: 'A Extra Category',
      description: 'Only in A',
      controls: [
        {
          key: 'a-extra-control',
          title: 'A extra control',
          description: 'Only in A',
          status: 'planned',
          lastReviewedOn: null,
          reviewIntervalDays: 365,
          frameworks: [],
        },
      ],
    });
  }
  return document;
}

function byKey<Item extends { key: string; id: string }>(items: Item[], key: string): string {
  const found = items.find((item) => item.key === key);
  if (!found) throw new Error(`fixture: no item with key ${key}`);
  return found.id;
}

/** Builds the app (own sealer and clock, so tests can mint with a second token service) and both tenants. */
export async function buildMatrixWorld(kind: TestDatabaseKind): Promise<MatrixWorld> {
  const clock = movableClock();
  const sealer = new Sealer(randomBytes(32));
  const db = await kind.create();
  const app = await createApp({ db, sealer, clock, publicCacheMs: 0, publicUrl: ISSUER });
  checkResponseContracts(app);
  try {
    const { services } = app;

    const tenantA = await services.tenants.create({ slug: 'matrix-alpha', name: 'Alpha Matrix Tenant' });
    const systemA = systemContext(tenantA.id, 'matrix-test');
    await services.transfer.importDraft(systemA, sampleDocument('A'), { publish: true });
    await services.transfer.importDraft(systemA, editedDocument(2), { publish: true });
    const third = await services.transfer.importDraft(systemA, editedDocument(3), { publish: true });
    if (third?.version !== 3) throw new Error(`fixture: A should be at version 3, is ${third?.version}`);

    const tenantB = await services.tenants.create({ slug: 'matrix-bravo', name: 'Bravo Matrix Tenant' });
    const systemB = systemContext(tenantB.id, 'matrix-test');
    await services.transfer.importDraft(systemB, sampleDocument('B'), { publish: true });

    const ownerA = await services.members.add(systemA, {
      email: 'owner@alpha-matrix.example',
      role: 'owner',
      password: PASSWORD,
    });
    const viewerA = await services.members.add(systemA, {
      email: 'viewer@alpha-matrix.example',
      role: 'viewer',
      password: PASSWORD,
    });
    const ownerB = await services.members.add(systemB, {
      email: 'owner@bravo-matrix.example',
      role: 'owner',
      password: PASSWORD,
    });
    const owner = ownerContext(tenantA.id, ownerA.userId);
    const ownerOfB = ownerContext(tenantB.id, ownerB.userId);

    const role = await services.roles.create(owner, {
      key: 'a-only-reviewer',
      name: 'A only reviewer',
      permissions: ['content:read'],
    });
    const { invitation } = await services.members.invite(owner, {
      email: 'invitee@alpha-matrix.example',
      role: 'viewer',
    });
    const hostCheck = await services.hostChecks.create(owner, {
      kind: 'dns',
      name: 'A mail domain',
      target: 'alpha-matrix.example',
    });
    const objectKey = await services.apiKeys.create(owner, {
      name: 'A object key',
      scopes: ['content:read'],
    });
    const revokedKey = await services.apiKeys.create(owner, {
      name: 'A revoked key',
      scopes: [...permissions],
    });
    await services.apiKeys.revoke(owner, revokedKey.key.id);
    const expiringKey = await services.apiKeys.create(owner, {
      name: 'A expiring key',
      scopes: [...permissions],
      expiresInDays: 1,
    });
    const liveKey = await services.apiKeys.create(owner, { name: 'A live key', scopes: ['content:read'] });
    const keyOfB = await services.apiKeys.create(ownerOfB, { name: 'B key', scopes: [...permissions] });

    const incident = await services.incidents.create(owner, {
      title: 'A incident title',
      detectedAt: clock().toISOString(),
    });
    const update = await services.posts.create(owner, {
      kind: 'general',
      title: 'A update title',
      body: 'A update body',
    });
    const change = await services.subprocessorChanges.announce(owner, {
      kind: 'add',
      subprocessor: { key: 'a-newcomer', name: 'A Newcomer' },
      effectiveOn: daysFrom(clock(), 40),
    });
    const [notice] = (await services.notices.list(owner)).items;
    if (!notice) throw new Error('fixture: the announcement made no notice');
    // A fan-out that ran out of retries, so that POST /notices/:id/retry has something to retry.
    await app.db.orm.update(notices).set({ state: 'failed' }).where(eq(notices.id, notice.id));

    const nda = await services.accessSettings.setNda(owner, { text: 'A confidentiality terms' });
    const documentA = await services.documents.create(
      owner,
      { title: 'A Confidential Report', category: 'pentest', accessLevel: 'gated' },
      { filename: 'a-report.txt', data: Buffer.from('A Confidential Report body') },
    );
    await services.documents.readFile(owner, documentA.id);
    const publishedA = await services.publishing.latest(visitorContext(tenantA.id));
    const visitorA = new ServiceContext(tenantA.id, { kind: 'visitor', id: 'anonymous' }, ['published:read']);
    const requestForm = (email: string) => ({
      name: 'A Requester',
      email,
      company: 'A Requesting Co',
      documentId: documentA.id,
      ndaVersion: String(nda.current?.version),
      ndaAccepted: 'yes',
    });
    const published = { documents: publishedA?.content.documents ?? [], nda: publishedA?.content.nda };
    const pending = await services.accessRequests.submit(
      visitorA,
      published,
      requestForm('requester@alpha-matrix.example'),
    );
    const granted = await services.accessRequests.submit(
      visitorA,
      published,
      requestForm('granted@alpha-matrix.example'),
    );
    const decided = await services.accessRequests.decide(owner, granted.requestId, { decision: 'approve' });
    // A finished export with a live download link (the matrix downloads it once, as A's owner).
    const tenantExport = await services.tenantExports.request(owner);
    const exportRun = await claimExport(app.db, tenantA.id, tenantExport.id, clock());
    if (!exportRun) throw new Error('matrix: the export was not claimed');
    await runExport({ db: app.db, vault: services.vault, clock }, tenantA.id, tenantExport.id, exportRun);
    const exportLink = await services.tenantExports.link(owner, tenantExport.id);
    if (!decided.grant) throw new Error('fixture: the approval made no grant');
    await app.mailer.kick();
    // A mail the server refused for good, so that POST /outbox/:id/resend has something to send.
    const [refusedMail] = (await services.outbox.list(systemA, { limit: 1, offset: 0 })).items;
    if (!refusedMail) throw new Error('fixture: no mail in the outbox');
    await app.db.orm
      .update(mailOutbox)
      .set({ status: 'failed', lastError: 'smtp:EENVELOPE:550' })
      .where(eq(mailOutbox.id, refusedMail.id));

    const certification = await services.certifications.create(owner, {
      name: 'A SOC 2 Type II',
      auditor: 'A Audit Partners',
      validFrom: '2026-01-01',
      validUntil: '2027-12-31',
      documentId: documentA.id,
    });

    const categories = await services.controls.listCategories(systemA);
    const controls = await services.controls.listControls(systemA);
    const faq = await services.faq.list(systemA);
    const subprocessors = await services.subprocessors.list(systemA);
    const history = await services.publishing.history(systemA);
    const knowledgeEntry = await services.knowledgeBase.create(systemA, {
      key: 'a-knowledge',
      question: 'A knowledge question about quasar ciphers?',
      answer: 'A knowledge answer about quasar ciphers.',
      visibility: 'nda',
    });
    const apiKeys = await services.apiKeys.list(systemA);

    const ids = {
      categoryId: byKey(categories, 'a-extra'),
      infrastructureCategoryId: byKey(categories, 'infrastructure'),
      controlId: byKey(controls, 'tls'),
      faqId: byKey(faq, 'hosting'),
      subprocessorId: byKey(subprocessors, 'hoster'),
    };
    const markers = [
      // what A says
      'A TLS everywhere',
      'A Backups',
      'A Corp',
      'A Infrastructure',
      'A Extra Category',
      'A extra control',
      'A Hosting',
      'A tagline',
      'Where does A host data?',
      'security@a.example',
      'A only reviewer',
      'A incident title',
      'A update title',
      'A Newcomer',
      'A Confidential Report',
      'A confidentiality terms',
      'A Requesting Co',
      'A SOC 2 Type II',
      'A knowledge answer',
      role.key,
      // who A is
      tenantA.id,
      tenantA.id.replaceAll('-', ''),
      tenantA.slug,
      tenantA.name,
      ownerA.userId,
      viewerA.userId,
      'alpha-matrix.example',
      invitation.id,
      incident.id,
      update.id,
      change.id,
      notice.id,
      refusedMail.id,
      documentA.id,
      pending.requestId,
      granted.requestId,
      decided.grant.id,
      hostCheck.id,
      tenantExport.id,
      // A's objects
      ...categories.map((category) => category.id),
      ...controls.map((control) => control.id),
      ...faq.map((entry) => entry.id),
      ...subprocessors.map((item) => item.id),
      ...apiKeys.map((key) => key.id),
      ...history.map((snapshot) => snapshot.contentSha256),
    ];

    return {
      app,
      sealer,
      clock,
      a: {
        id: tenantA.id,
        slug: tenantA.slug,
        ownerId: ownerA.userId,
        viewerId: viewerA.userId,
        owner,
        system: systemA,
        ...ids,
        invitationId: invitation.id,
        roleKey: role.key,
        objectKeyId: objectKey.key.id,
        revokedKey: revokedKey.secret,
        expiringKey: expiringKey.secret,
        liveKey: liveKey.secret,
        latestVersion: third.version,
        updateId: update.id,
        incidentId: incident.id,
        changeId: change.id,
        noticeId: notice.id,
        mailId: refusedMail.id,
        documentId: documentA.id,
        accessRequestId: pending.requestId,
        grantId: decided.grant.id,
        hostCheckId: hostCheck.id,
        certificationId: certification.id,
        exportId: tenantExport.id,
        exportDownloadQuery: new URL(exportLink.url, 'http://matrix').search.slice(1),
        knowledgeEntryId: knowledgeEntry.id,
        markers,
      },
      b: {
        id: tenantB.id,
        slug: tenantB.slug,
        ownerId: ownerB.userId,
        owner: ownerOfB,
        apiKey: keyOfB.secret,
      },
    };
  } catch (error) {
    await app.close();
    throw error;
  }
}

/**
 * The A object an object route names, by the route's first path segment. A new kind of object
 * route needs an entry here (the matrix test fails and says so until it has one).
 */
export const objectOf: Record<string, (world: MatrixWorld) => string> = {
  categories: (world) => world.a.categoryId,
  controls: (world) => world.a.controlId,
  faq: (world) => world.a.faqId,
  subprocessors: (world) => world.a.subprocessorId,
  members: (world) => world.a.viewerId,
  invitations: (world) => world.a.invitationId,
  roles: (world) => world.a.roleKey,
  'api-keys': (world) => world.a.objectKeyId,
  snapshots: (world) => String(world.a.latestVersion),
  updates: (world) => world.a.updateId,
  incidents: (world) => world.a.incidentId,
  'subprocessor-changes': (world) => world.a.changeId,
  notices: (world) => world.a.noticeId,
  outbox: (world) => world.a.mailId,
  documents: (world) => world.a.documentId,
  'access-requests': (world) => world.a.accessRequestId,
  grants: (world) => world.a.grantId,
  'host-checks': (world) => world.a.hostCheckId,
  certifications: (world) => world.a.certificationId,
  exports: (world) => world.a.exportId,
  'knowledge-base': (world) => world.a.knowledgeEntryId,
};

/** A multipart/form-data body (uploads): `send` passes its bytes and content type as they are. */
export class MultipartPayload {
  constructor(
    readonly payload: Buffer,
    readonly headers: Record<string, string>,
  ) {}
}

function uploadOf(fields: Record<string, string>): MultipartPayload {
  const body = multipart(fields, { filename: 'matrix.txt', data: Buffer.from('written by the matrix') });
  return new MultipartPayload(body.payload, body.headers);
}

export function routeKey(route: Pick<ApiRoute, 'method' | 'url'>): string {
  return `${route.method} ${route.url}`;
}

/** The route's path with its object parameter filled with A's object; other parameters are an error. */
export function pathOf(route: ApiRoute, world: MatrixWorld): string {
  const query = queryOf[routeKey(route)]?.(world);
  return query ? `${pathWithObject(route, world)}?${query}` : pathWithObject(route, world);
}

/** The query a route needs besides its object (a download link's token). */
const queryOf: Record<string, (world: MatrixWorld) => string> = {
  'GET /exports/:id/download': (world) => world.a.exportDownloadQuery,
};

function pathWithObject(route: ApiRoute, world: MatrixWorld): string {
  return route.url.replace(/:([A-Za-z]+)/g, (_match, name: string) => {
    if (name !== route.objectParam) {
      throw new Error(`${routeKey(route)}: path parameter :${name} is not its objectParam; teach the matrix`);
    }
    const segment = route.url.split('/')[1] ?? '';
    const resolve = objectOf[segment];
    if (!resolve)
      throw new Error(`${routeKey(route)}: no A object for "${segment}" in objectOf (api-fixtures.ts)`);
    return encodeURIComponent(resolve(world));
  });
}

/** A UTC date `days` after `moment`, as YYYY-MM-DD. */
function daysFrom(moment: Date, days: number): string {
  return new Date(moment.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

let sequence = 0;
/** Keys and addresses that never collide, so a repeated create is not a 409. */
function unique(prefix: string): string {
  sequence += 1;
  return `${prefix}-${sequence}`;
}

type BodyFactory = (world: MatrixWorld) => unknown;

async function idsReversed(items: Promise<{ id: string }[]>): Promise<{ ids: string[] }> {
  return { ids: (await items).map((item) => item.id).reverse() };
}

/**
 * A valid body for every route that takes one, keyed `METHOD /url`. Bodies that name A's objects
 * (orders, a control's category) read A's current state, so they stay valid as A changes. None
 * carries A's marker strings: B sends the same bodies, and what B stores must stay free of them.
 */
export const bodyOf: Record<string, BodyFactory> = {
  'PUT /profile': () => ({ companyName: 'Matrix Profile Co', tagline: 'written by the matrix' }),
  'POST /categories': () => ({ key: unique('matrix-category'), name: 'Matrix category' }),
  'PUT /categories/order': (world) => idsReversed(world.app.services.controls.listCategories(world.a.system)),
  'PATCH /categories/:id': () => ({ name: 'Matrix renamed category' }),
  'PUT /categories/:id/controls/order': (world) =>
    idsReversed(world.app.services.controls.listControls(world.a.system, { categoryId: world.a.categoryId })),
  'POST /controls': (world) => ({
    key: unique('matrix-control'),
    title: 'Matrix control',
    categoryId: world.a.infrastructureCategoryId,
  }),
  'PATCH /controls/:id': () => ({ title: 'Matrix renamed control', status: 'planned' }),
  'POST /faq': () => ({ key: unique('matrix-faq'), question: 'Matrix question?', answer: 'Matrix answer.' }),
  'PATCH /faq/:id': () => ({ answer: 'Matrix changed answer.' }),
  'PUT /faq/order': (world) => idsReversed(world.app.services.faq.list(world.a.system)),
  'POST /subprocessors': () => ({ key: unique('matrix-subprocessor'), name: 'Matrix subprocessor' }),
  'PATCH /subprocessors/:id': () => ({ location: 'Matrixland' }),
  'PUT /subprocessors/order': (world) => idsReversed(world.app.services.subprocessors.list(world.a.system)),
  'POST /import': () => sampleDocument('Matrix'),
  'PATCH /members/:id': () => ({ role: 'editor' }),
  'POST /invitations': () => ({ email: `${unique('invitee')}@matrix.example`, role: 'viewer' }),
  'POST /roles': () => ({ key: unique('matrix-role'), name: 'Matrix role', permissions: ['content:read'] }),
  'PATCH /roles/:key': () => ({ name: 'Matrix renamed role' }),
  'PUT /settings': () => ({ sessionIdleMinutes: 45, sessionAbsoluteHours: 10, requireMfa: false }),
  'POST /api-keys': () => ({ name: 'Matrix key', scopes: ['content:read'], expiresInDays: 30 }),
  'POST /api-keys/:id/rotate': () => ({ overlapHours: 1 }),
  'POST /updates': () => ({ kind: 'general', title: 'Matrix update', body: 'Written by the **matrix**.' }),
  'PATCH /updates/:id': () => ({ title: 'Matrix renamed update' }),
  'POST /updates/preview': () => ({ body: 'Previewed by the **matrix**.' }),
  'POST /incidents': (world) => ({ title: 'Matrix incident', detectedAt: world.clock().toISOString() }),
  'PATCH /incidents/:id': () => ({ title: 'Matrix renamed incident' }),
  'POST /subprocessor-changes': (world) => ({
    kind: 'add',
    subprocessor: { key: unique('matrix-newcomer'), name: 'Matrix newcomer' },
    effectiveOn: daysFrom(world.clock(), 60),
  }),
  'PUT /notification-settings': () => ({ noticePeriodDays: 35, senderName: 'Matrix sender', replyTo: null }),
  'POST /documents': () => uploadOf({ title: 'Matrix document', accessLevel: 'private' }),
  'PATCH /documents/:id': () => ({ title: 'Matrix renamed document' }),
  'POST /documents/:id/versions': () => uploadOf({}),
  'POST /access-requests/:id/decision': () => ({ decision: 'approve', days: 7 }),
  'POST /grants/:id/extend': () => ({ days: 5 }),
  'PUT /nda': () => ({ text: 'Matrix confidentiality terms' }),
  'POST /host-checks': () => ({ kind: 'dns', name: 'Matrix domain', target: 'matrix.example' }),
  // Names A's report: B's request must find no such document (404), A's binds it.
  'POST /certifications': (world) => ({
    name: 'Matrix certification',
    auditor: 'Matrix auditor',
    validFrom: '2026-01-01',
    validUntil: '2027-01-01',
    documentId: world.a.documentId,
  }),
  'PATCH /certifications/:id': () => ({ auditor: 'Matrix renamed auditor' }),
  'POST /knowledge-base': () => ({
    key: unique('matrix-entry'),
    question: 'Matrix question?',
    answer: 'Matrix answer.',
  }),
  'PATCH /knowledge-base/:id': () => ({ answer: 'Matrix changed answer.' }),
  'POST /answers': () => ({ questions: ['Are quasar ciphers used in the knowledge question?'] }),
  'PUT /access-rules': () => ({ autoApproveDomains: ['matrix.example'], autoDenyDomains: [], grantDays: 20 }),
};

/** Routes whose success rewrites A's whole draft: A's own positive run sends them last. */
export const replacesDraft = new Set(['POST /import']);

/** Everything about tenant A a request could change, read as the operator. */
export async function stateOf(world: MatrixWorld) {
  const { services } = world.app;
  const ctx = world.a.system;
  return {
    draft: await services.transfer.exportDraft(ctx),
    profile: await services.profile.get(ctx),
    categories: await services.controls.listCategories(ctx),
    controls: await services.controls.listControls(ctx),
    faq: await services.faq.list(ctx),
    subprocessors: await services.subprocessors.list(ctx),
    snapshots: await services.publishing.history(ctx),
    members: await services.members.list(ctx),
    invitations: await services.members.listInvitations(ctx),
    roles: await services.roles.list(ctx),
    apiKeys: await services.apiKeys.list(ctx),
    settings: await services.settings.get(ctx),
    audit: await services.audit.list(ctx, { limit: 200 }),
    updates: await services.posts.list(ctx, { limit: 200 }),
    incidents: await services.incidents.list(ctx, { limit: 200 }),
    subprocessorChanges: await services.subprocessorChanges.list(ctx, { limit: 200 }),
    notices: await services.notices.list(ctx, { limit: 200 }),
    subscribers: await services.subscribers.list(ctx),
    notificationSettings: await services.notificationSettings.get(ctx),
    exports: await services.tenantExports.list(ctx),
    documents: await services.documents.list(ctx),
    accessRequests: await services.accessRequests.list(ctx, { limit: 200 }),
    grants: await services.grants.list(ctx, { limit: 200, offset: 0 }),
    nda: await services.accessSettings.getNda(ctx),
    accessRules: await services.accessSettings.getRules(ctx),
    outbox: await services.outbox.list(ctx, { limit: 200, offset: 0 }),
    hostChecks: await services.hostChecks.list(ctx),
    certifications: await services.certifications.list(ctx),
    knowledgeBase: await services.knowledgeBase.list(ctx, { limit: 200 }),
  };
}
