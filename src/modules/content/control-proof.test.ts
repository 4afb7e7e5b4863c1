import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { multipart } from '../../../test/support/documents.js';
import { documentsApp, publishedTenant } from '../../../test/support/documents-app.js';
import type { App } from '../../app.js';
import { formatTrustCenterFile, parseTrustCenterFile } from './transfer.service.js';

/*
 * Every implemented control is evidenced (decision 0031): a control names documents, public
 * artifacts and an attested statement besides live checks; they go from the draft through the
 * publish to every public view, back and forth through the trust-center file, and the console's
 * coverage counts the implemented controls by their strongest evidence.
 */

const ATTESTATION = {
  statement: 'Every engineer completed the secure-coding course this year.',
  attestedBy: 'Head of Security',
  attestedOn: '2026-11-30',
};

describe.each(testDatabaseKinds)('control evidence kinds on $name', (kind) => {
  let setup: Awaited<ReturnType<typeof documentsApp>>;
  let app: App;
  let tenant: Awaited<ReturnType<typeof publishedTenant>>;
  let other: Awaited<ReturnType<typeof publishedTenant>>;
  let gatedPolicy: string;
  let privatePolicy: string;
  let othersDocument: string;
  let tlsId: string;
  let backupsId: string;

  async function api(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, who = tenant) {
    return app.server.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: who.authorization },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  }

  async function upload(who: typeof tenant, title: string, accessLevel: string): Promise<string> {
    const body = multipart(
      { title, category: 'policy', accessLevel },
      { filename: 'policy.md', data: Buffer.from(`# ${title}\n`), contentType: 'text/markdown' },
    );
    const response = await app.server.inject({
      method: 'POST',
      url: '/api/v1/documents',
      headers: { authorization: who.authorization, ...body.headers },
      payload: body.payload,
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id;
  }

  async function controlsByKey() {
    const list = (await api('GET', '/controls')).json().items as { id: string; key: string }[];
    return new Map(list.map((control) => [control.key, control]));
  }

  beforeAll(async () => {
    setup = await documentsApp(kind);
    app = setup.app;
    tenant = await publishedTenant(app, 'proof');
    other = await publishedTenant(app, 'proof-other');
    gatedPolicy = await upload(tenant, 'Secure Development Policy', 'gated');
    privatePolicy = await upload(tenant, 'Internal Runbook', 'private');
    othersDocument = await upload(other, 'Other Tenant Policy', 'public');
    const byKey = await controlsByKey();
    tlsId = byKey.get('tls')?.id ?? '';
    backupsId = byKey.get('backups')?.id ?? '';
  });
  afterAll(async () => setup?.close());

  it('counts an implemented control without evidence as unevidenced, and each kind once it has it', async () => {
    const before = (await api('GET', '/evidence-coverage')).json();
    expect(before).toEqual({
      implemented: 1,
      machine: 0,
      documentOrArtifact: 0,
      statement: 0,
      none: 1,
      unevidenced: [{ id: tlsId, key: 'tls', title: 'PROOF TLS everywhere' }],
    });

    // A statement only.
    expect((await api('PATCH', `/controls/${tlsId}`, { attestation: ATTESTATION })).statusCode).toBe(200);
    expect((await api('GET', '/evidence-coverage')).json()).toMatchObject({ statement: 1, none: 0 });

    // A second implemented control, backed by a public artifact only.
    expect(
      (
        await api('PATCH', `/controls/${backupsId}`, {
          status: 'implemented',
          artifacts: [{ title: 'Backup schedule', href: 'deploy/kubernetes/base/database.yaml' }],
        })
      ).statusCode,
    ).toBe(200);
    expect((await api('GET', '/evidence-coverage')).json()).toMatchObject({
      implemented: 2,
      documentOrArtifact: 1,
      statement: 1,
      none: 0,
      unevidenced: [],
    });

    // A live check is the strongest: the control counts as machine-evidenced only.
    expect((await api('PATCH', `/controls/${tlsId}`, { evidence: ['security-headers'] })).statusCode).toBe(
      200,
    );
    expect((await api('GET', '/evidence-coverage')).json()).toMatchObject({
      implemented: 2,
      machine: 1,
      documentOrArtifact: 1,
      statement: 0,
      none: 0,
    });
  });

  it('takes every kind through draft, publish and the public HTML, JSON and Markdown', async () => {
    const patch = await api('PATCH', `/controls/${tlsId}`, {
      evidence: ['security-headers'],
      documents: [gatedPolicy, privatePolicy],
      artifacts: [
        { title: 'Network policies', href: 'deploy/kubernetes/base/network-policies.yaml' },
        {
          title: 'Header test',
          href: 'https://git.example/attest/blob/main/src/public/public-headers.test.ts',
        },
      ],
      attestation: ATTESTATION,
    });
    expect(patch.statusCode, patch.body).toBe(200);
    expect(patch.json()).toMatchObject({ documents: [gatedPolicy, privatePolicy], attestation: ATTESTATION });
    // The one-item read is written by PostgreSQL itself: it carries the same fields.
    expect((await api('GET', `/controls/${tlsId}`)).json()).toMatchObject({
      documents: [gatedPolicy, privatePolicy],
      artifacts: [{ title: 'Network policies', href: 'deploy/kubernetes/base/network-policies.yaml' }, {}],
      attestation: ATTESTATION,
    });
    expect((await api('POST', '/publish')).statusCode).toBe(200);

    const html = (await app.server.inject({ url: '/t/proof/security' })).body;
    const control = html.slice(html.indexOf('id="control-tls"'), html.indexOf('id="control-backups"'));
    expect(control).toContain('Live evidence: <a href="/t/proof/evidence#security-headers">');
    expect(control).toContain(
      `Documents: <a href="/t/proof/documents#document-${gatedPolicy}">Secure Development Policy</a> (on request)`,
    );
    // A private document is never named publicly, not even by id.
    expect(html).not.toContain('Internal Runbook');
    expect(html).not.toContain(privatePolicy);
    expect(control).toContain(
      'Network policies (<code>deploy/kubernetes/base/network-policies.yaml</code> in the source repository)',
    );
    expect(control).toContain(
      '<a href="https://git.example/attest/blob/main/src/public/public-headers.test.ts" rel="nofollow noopener">Header test</a>',
    );
    expect(control).toContain(
      'Attested by Head of Security on <time datetime="2026-11-30">2026-11-30</time>: Every engineer completed',
    );
    // The documents page has the entry the link points at.
    expect((await app.server.inject({ url: '/t/proof/documents' })).body).toContain(
      `id="document-${gatedPolicy}"`,
    );

    const json = (await app.server.inject({ url: '/t/proof/security.json' })).json();
    const tls = json.categories[0].controls.find((item: { key: string }) => item.key === 'tls');
    expect(tls.documents).toEqual([
      {
        id: gatedPolicy,
        title: 'Secure Development Policy',
        accessLevel: 'gated',
        url: `/t/proof/documents#document-${gatedPolicy}`,
      },
    ]);
    expect(tls.artifacts).toEqual([
      { title: 'Network policies', url: null, path: 'deploy/kubernetes/base/network-policies.yaml' },
      {
        title: 'Header test',
        url: 'https://git.example/attest/blob/main/src/public/public-headers.test.ts',
        path: null,
      },
    ]);
    expect(tls.attestation).toEqual(ATTESTATION);
    expect(JSON.stringify(json)).not.toContain(privatePolicy);

    const markdown = (await app.server.inject({ url: '/t/proof/security.md' })).body;
    expect(markdown).toContain(
      `**Documents:** [Secure Development Policy](/t/proof/documents#document-${gatedPolicy}) (on request)`,
    );
    expect(markdown).toContain(
      '**Public artifacts:** Network policies (deploy/kubernetes/base/network-policies.yaml in the source repository)',
    );
    expect(markdown).toContain('**Attested by** Head of Security on 2026-11-30: Every engineer completed');
  });

  it('round-trips the kinds through the trust-center file, and refuses a file naming a document it does not have', async () => {
    const exported = (await api('GET', '/export')).json();
    const tls = exported.categories[0].controls.find((item: { key: string }) => item.key === 'tls');
    expect(tls).toMatchObject({ documents: [gatedPolicy, privatePolicy], attestation: ATTESTATION });
    // A control without any of them writes none of the fields.
    const faqOnly = exported.categories[0].controls.find((item: { key: string }) => item.key === 'backups');
    expect(Object.keys(faqOnly)).not.toContain('documents');
    expect(Object.keys(faqOnly)).not.toContain('attestation');
    const source = formatTrustCenterFile(exported);
    expect(parseTrustCenterFile(source)).toEqual(exported);
    expect((await api('POST', '/import', exported)).statusCode).toBe(200);
    expect((await api('GET', '/export')).json()).toEqual(exported);

    const foreign = structuredClone(exported);
    foreign.categories[0].controls[0].documents = [othersDocument];
    const refused = await api('POST', '/import', foreign);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.details).toEqual([
      { path: 'categories.0.controls.0.documents.0', message: 'no such document in this trust center' },
    ]);
    expect((await api('GET', '/export')).json()).toEqual(exported);
  });

  it("refuses another tenant's document as 404 and hostile evidence as 400, changing nothing", async () => {
    const before = (await api('GET', `/controls/${tlsId}`)).body;
    const foreign = await api('PATCH', `/controls/${tlsId}`, { documents: [othersDocument] });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).not.toContain('Other Tenant Policy');
    const created = await api('POST', '/controls', {
      key: 'foreign-doc',
      title: 'Foreign',
      categoryId: (await api('GET', `/controls/${tlsId}`)).json().categoryId,
      documents: [othersDocument],
    });
    expect(created.statusCode).toBe(404);

    const hostile: unknown[] = [
      { artifacts: [{ title: 'x', href: 'javascript:alert(1)' }] },
      { artifacts: [{ title: 'x', href: '../../etc/passwd' }] },
      { artifacts: [{ title: 'x', href: '/etc/passwd' }] },
      { artifacts: [{ title: 'x', href: 'docs/../secrets.yaml' }] },
      { artifacts: [{ title: 'x', href: 'data:text/html,<script>alert(1)</script>' }] },
      { artifacts: [{ title: 'line\nbreak', href: 'docs/operations.md' }] },
      { artifacts: [{ title: 'x', href: `https://example.com/${'a'.repeat(3000)}` }] },
      { artifacts: Array.from({ length: 21 }, (_, index) => ({ title: `a${index}`, href: 'docs/x.md' })) },
      { artifacts: 'docs/operations.md' },
      { documents: ['not-a-uuid'] },
      { documents: [gatedPolicy, gatedPolicy] },
      { documents: Array.from({ length: 11 }, () => gatedPolicy) },
      { attestation: { statement: '', attestedBy: 'x', attestedOn: '2026-11-30' } },
      { attestation: { statement: 'x', attestedBy: 'x', attestedOn: '30.11.2026' } },
      { attestation: { statement: 'x'.repeat(1001), attestedBy: 'x', attestedOn: '2026-11-30' } },
      { attestation: { statement: 'bell\u0007', attestedBy: 'x', attestedOn: '2026-11-30' } },
      { attestation: { statement: 'x', attestedOn: '2026-11-30' } },
    ];
    for (const body of hostile) {
      const response = await api('PATCH', `/controls/${tlsId}`, body);
      expect(response.statusCode, JSON.stringify(body).slice(0, 120)).toBe(400);
    }
    expect((await api('GET', `/controls/${tlsId}`)).body).toBe(before);
  });
});

describe('evidence kinds in trust-center files', () => {
  function issuePaths(source: string): string[] {
    try {
      parseTrustCenterFile(source);
    } catch (error) {
      return (error as { details: { path: string }[] }).details.map((detail) => detail.path);
    }
    return expect.unreachable('the file was accepted');
  }

  const base = (control: string) => `version: 1
profile: { companyName: File Co }
categories:
  - key: infra
    name: Infrastructure
    controls:
      - key: tls
        title: TLS
${control}
`;

  it('reads artifacts and a statement, and refuses hostile ones with the path to them', () => {
    const good = parseTrustCenterFile(
      base(`        artifacts:
          - { title: Policies, href: deploy/kubernetes/base/network-policies.yaml }
        attestation: { statement: We do this., attestedBy: CISO, attestedOn: "2026-11-30" }`),
    );
    expect(good.categories[0]?.controls[0]).toMatchObject({
      artifacts: [{ title: 'Policies', href: 'deploy/kubernetes/base/network-policies.yaml' }],
      attestation: { statement: 'We do this.', attestedBy: 'CISO', attestedOn: '2026-11-30' },
    });
    expect(
      issuePaths(
        base(`        artifacts:
          - { title: Evil, href: "javascript:alert(1)" }
          - { title: Up, href: ../../etc/passwd }`),
      ),
    ).toEqual(['categories.0.controls.0.artifacts.0.href', 'categories.0.controls.0.artifacts.1.href']);
    expect(issuePaths(base(`        attestation: { statement: x, attestedOn: "2026-11-30" }`))).toEqual([
      'categories.0.controls.0.attestation.attestedBy',
    ]);
    expect(issuePaths(base(`        documents: [not-a-uuid]`))).toEqual([
      'categories.0.controls.0.documents.0',
    ]);
  });
});
