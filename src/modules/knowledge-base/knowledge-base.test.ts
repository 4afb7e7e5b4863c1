import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../../test/support/app.js';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { sampleDocument } from '../../../test/support/fixtures.js';
import { systemContext } from '../../platform/auth/context.js';
import type { TrustCenterDocument } from '../content/content.contract.js';
import { formatTrustCenterFile, parseTrustCenterFile } from '../content/transfer.service.js';
import {
  type AnswersResponse,
  type KnowledgeEntry,
  type KnowledgeEntryInput,
  MAX_KNOWLEDGE_ENTRIES,
} from './knowledge-base.contract.js';

/** A's published trust center: two controls and one FAQ entry the answers may cite besides its entries. */
function publishedDocument(): TrustCenterDocument {
  const document = sampleDocument('ACME');
  const [category] = document.categories;
  if (!category) throw new Error('sample document without a category');
  category.controls = [
    {
      key: 'encryption-at-rest',
      title: 'Encryption at Rest',
      description: 'Databases and uploaded files are encrypted with AES-256 on disk.',
      status: 'implemented',
      lastReviewedOn: '2026-10-01',
      reviewIntervalDays: 365,
      frameworks: [],
    },
    {
      key: 'penetration-tests',
      title: 'Yearly Penetration Tests',
      description: 'An outside firm attacks the service every year and we fix what it finds.',
      status: 'implemented',
      lastReviewedOn: null,
      reviewIntervalDays: 365,
      frameworks: [],
    },
  ];
  document.faq = [
    {
      key: 'hosting',
      question: 'Where do you keep our data?',
      answer: 'All servers and backups are in Frankfurt, Germany.',
    },
  ];
  return document;
}

const passwordEntry: KnowledgeEntryInput = {
  key: 'password-hashing',
  question: 'How are passwords stored?',
  answer: 'Passwords are hashed with argon2id and a unique salt; nobody can read them.',
  shortAnswer: null,
  owner: 'Security team',
  lastReviewedOn: '2026-11-01',
  reviewIntervalDays: 180,
  references: [{ kind: 'control', key: 'encryption-at-rest' }],
  visibility: 'public',
};

const insuranceEntry: KnowledgeEntryInput = {
  key: 'cyber-insurance',
  question: 'Do you hold cyber liability insurance?',
  answer: 'Yes, a cyber policy covering breach response up to five million euros.',
  shortAnswer: 'yes',
  owner: 'Finance',
  lastReviewedOn: null,
  reviewIntervalDays: 365,
  references: [],
  visibility: 'nda',
};

describe.each(testDatabaseKinds)('the knowledge base and questionnaire answers on $name', (kind) => {
  const holder = useTestApp(kind);
  const keys = { aWriter: '', aReader: '', bWriter: '' };
  let tenantA = '';
  let tenantB = '';
  let passwordId = '';

  function call(key: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) {
    return holder.app.server.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${key}` },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  }

  async function entriesOf(tenantId: string): Promise<KnowledgeEntry[]> {
    return (await holder.app.services.knowledgeBase.list(systemContext(tenantId), { limit: 200 })).items;
  }

  async function answer(key: string, questions: string[]): Promise<AnswersResponse> {
    const response = await call(key, 'POST', '/answers', { questions });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }

  const bestSource = (result: AnswersResponse, index: number) => {
    const source = result.answers[index]?.proposals[0]?.sources[0];
    return source ? `${source.kind}:${source.key}` : null;
  };

  beforeAll(async () => {
    const { services } = holder.app;
    tenantA = (await services.tenants.create({ slug: 'acme', name: 'Acme' })).id;
    tenantB = (await services.tenants.create({ slug: 'bolt', name: 'Bolt' })).id;
    const a = systemContext(tenantA);
    const b = systemContext(tenantB);
    await services.transfer.importDraft(a, publishedDocument(), { publish: true });
    await services.transfer.importDraft(b, sampleDocument('BOLT'), { publish: true });
    keys.aWriter = (
      await services.apiKeys.create(a, { name: 'Writer', scopes: ['content:read', 'content:write'] })
    ).secret;
    keys.aReader = (await services.apiKeys.create(a, { name: 'Reader', scopes: ['content:read'] })).secret;
    keys.bWriter = (
      await services.apiKeys.create(b, { name: 'Writer', scopes: ['content:read', 'content:write'] })
    ).secret;
    // B's entry answers a question word for word: A must never be offered it.
    await services.knowledgeBase.create(b, {
      key: 'quokka-backups',
      question: 'Are quokka backups tested every week?',
      answer: 'BOLT-ONLY: quokka backups are restored every Tuesday.',
      visibility: 'public',
    });
  });

  it('creates, reads, lists by page and filter, changes and deletes entries, and audits each change', async () => {
    const created = await call(keys.aWriter, 'POST', '/knowledge-base', passwordEntry);
    expect(created.statusCode, created.body).toBe(201);
    const entry = created.json() as KnowledgeEntry;
    passwordId = entry.id;
    expect(entry).toMatchObject(passwordEntry);
    const second = await call(keys.aWriter, 'POST', '/knowledge-base', { ...insuranceEntry });
    expect(second.statusCode, second.body).toBe(201);

    expect((await call(keys.aReader, 'GET', `/knowledge-base/${entry.id}`)).json()).toEqual(entry);
    const firstPage = (await call(keys.aReader, 'GET', '/knowledge-base?limit=1')).json();
    expect(firstPage).toMatchObject({ total: 2, nextOffset: 1 });
    expect(firstPage.items.map((item: KnowledgeEntry) => item.key)).toEqual(['cyber-insurance']);
    const secondPage = (await call(keys.aReader, 'GET', '/knowledge-base?limit=1&offset=1')).json();
    expect(secondPage.items.map((item: KnowledgeEntry) => item.key)).toEqual(['password-hashing']);
    const nda = (await call(keys.aReader, 'GET', '/knowledge-base?visibility=nda')).json();
    expect(nda.items.map((item: KnowledgeEntry) => item.key)).toEqual(['cyber-insurance']);
    const searched = (await call(keys.aReader, 'GET', '/knowledge-base?q=ARGON2')).json();
    expect(searched.items.map((item: KnowledgeEntry) => item.key)).toEqual(['password-hashing']);
    // % and _ are literal in the filter, not wildcards.
    expect((await call(keys.aReader, 'GET', '/knowledge-base?q=%25')).json().total).toBe(0);

    const patched = await call(keys.aWriter, 'PATCH', `/knowledge-base/${entry.id}`, {
      shortAnswer: 'yes',
      visibility: 'internal',
    });
    expect(patched.statusCode, patched.body).toBe(200);
    // Fields left out of the patch keep their values.
    expect(patched.json()).toMatchObject({ ...passwordEntry, shortAnswer: 'yes', visibility: 'internal' });

    const taken = await call(keys.aWriter, 'POST', '/knowledge-base', {
      ...insuranceEntry,
      question: 'Again?',
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe('knowledge_base.key_taken');

    const scratch = await call(keys.aWriter, 'POST', '/knowledge-base', {
      ...insuranceEntry,
      key: 'scratch',
    });
    const scratchId = scratch.json().id as string;
    expect((await call(keys.aWriter, 'DELETE', `/knowledge-base/${scratchId}`)).statusCode).toBe(204);
    expect((await call(keys.aReader, 'GET', `/knowledge-base/${scratchId}`)).statusCode).toBe(404);
    expect((await call(keys.aWriter, 'DELETE', `/knowledge-base/${scratchId}`)).statusCode).toBe(404);

    const audit = await holder.app.services.audit.list(systemContext(tenantA), {
      targetType: 'knowledge_base_entry',
    });
    expect(audit.events.map((event) => [event.action, event.target?.id])).toEqual([
      ['knowledge_base.deleted', scratchId],
      ['knowledge_base.created', scratchId],
      ['knowledge_base.updated', entry.id],
      ['knowledge_base.created', second.json().id],
      ['knowledge_base.created', entry.id],
    ]);
  });

  it('refuses hostile and malformed input with a 4xx and changes nothing', async () => {
    const before = await entriesOf(tenantA);
    const hostile: [string, 'POST' | 'PATCH', string, unknown][] = [
      [
        'oversized question',
        'POST',
        '/knowledge-base',
        { ...passwordEntry, key: 'big', question: 'q'.repeat(501) },
      ],
      [
        'control character',
        'POST',
        '/knowledge-base',
        { ...passwordEntry, key: 'ctl', question: 'a\u0000b' },
      ],
      ['bad key', 'POST', '/knowledge-base', { ...passwordEntry, key: '../etc' }],
      [
        'unknown visibility',
        'POST',
        '/knowledge-base',
        { ...passwordEntry, key: 'vis', visibility: 'everyone' },
      ],
      [
        'unknown short answer',
        'POST',
        '/knowledge-base',
        { ...passwordEntry, key: 'short', shortAnswer: 'maybe' },
      ],
      [
        'too many references',
        'POST',
        '/knowledge-base',
        { ...passwordEntry, key: 'refs', references: Array(31).fill({ kind: 'control', key: 'x' }) },
      ],
      [
        'reference kind',
        'POST',
        '/knowledge-base',
        { ...passwordEntry, key: 'rk', references: [{ kind: 'url', key: 'x' }] },
      ],
      ['empty answer', 'PATCH', `/knowledge-base/${passwordId}`, { answer: '   ' }],
      ['review interval', 'PATCH', `/knowledge-base/${passwordId}`, { reviewIntervalDays: 0 }],
      ['not a date', 'PATCH', `/knowledge-base/${passwordId}`, { lastReviewedOn: 'yesterday' }],
      ['not an object', 'POST', '/knowledge-base', ['question']],
      ['no questions', 'POST', '/answers', { questions: [] }],
      ['301 questions', 'POST', '/answers', { questions: Array(301).fill('Is data encrypted?') }],
      ['a huge question', 'POST', '/answers', { questions: ['x'.repeat(1001)] }],
      ['a question that is not text', 'POST', '/answers', { questions: [{ $ne: null }] }],
      ['too many proposals', 'POST', '/answers', { questions: ['Is data encrypted?'], limit: 50 }],
    ];
    for (const [name, method, url, payload] of hostile) {
      const response = await call(keys.aWriter, method, url, payload);
      expect(response.statusCode, `${name}: ${response.body}`).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, name).toBeLessThan(500);
    }
    expect((await call(keys.aWriter, 'GET', '/knowledge-base/not-a-uuid')).statusCode).toBeLessThan(500);
    const readerWrite = await call(keys.aReader, 'POST', '/knowledge-base', {
      ...passwordEntry,
      key: 'reader',
    });
    expect(readerWrite.statusCode).toBe(403);
    expect(await entriesOf(tenantA)).toEqual(before);
  });

  it("answers another tenant's entry with 404, whatever the verb, and leaves it as it was", async () => {
    const before = await entriesOf(tenantA);
    expect((await call(keys.bWriter, 'GET', `/knowledge-base/${passwordId}`)).statusCode).toBe(404);
    const patched = await call(keys.bWriter, 'PATCH', `/knowledge-base/${passwordId}`, {
      answer: 'BOLT was here',
    });
    expect(patched.statusCode).toBe(404);
    expect((await call(keys.bWriter, 'DELETE', `/knowledge-base/${passwordId}`)).statusCode).toBe(404);
    const bList = (await call(keys.bWriter, 'GET', '/knowledge-base')).json();
    expect(bList.items.map((item: KnowledgeEntry) => item.key)).toEqual(['quokka-backups']);
    expect(await entriesOf(tenantA)).toEqual(before);
  });

  it('proposes cited entries for English and German questions, with confidence and visibility', async () => {
    const result = await answer(keys.aReader, [
      'Is customer data encrypted at rest?',
      'Werden die Daten im Ruhezustand verschlüsselt?',
      'Do you have cyber insurance?',
      'Wie werden Passwörter gespeichert?',
      'Is there a pentest every year?',
      'Wo werden unsere Daten gehostet?',
      'What colour is the office sofa?',
    ]);
    expect(result.snapshotVersion).toBe(1);
    expect(result.answers.map((item) => item.question)[0]).toBe('Is customer data encrypted at rest?');
    expect(bestSource(result, 0)).toBe('control:encryption-at-rest');
    expect(bestSource(result, 1)).toBe('control:encryption-at-rest');
    expect(bestSource(result, 2)).toBe('knowledge_base:cyber-insurance');
    expect(bestSource(result, 3)).toBe('knowledge_base:password-hashing');
    expect(bestSource(result, 4)).toBe('control:penetration-tests');
    expect(bestSource(result, 5)).toBe('faq:hosting');
    expect(result.answers[6]?.proposals).toEqual([]);

    // The text is the cited entry's own, word for word; its visibility and references come with it.
    const insurance = result.answers[2]?.proposals[0];
    expect(insurance).toMatchObject({
      text: insuranceEntry.answer,
      shortAnswer: 'yes',
      visibility: 'nda',
      sources: [
        { kind: 'knowledge_base', key: 'cyber-insurance', title: insuranceEntry.question, visibility: 'nda' },
      ],
    });
    const password = result.answers[3]?.proposals[0];
    expect(password?.visibility).toBe('internal');
    expect(password?.references).toEqual([{ kind: 'control', key: 'encryption-at-rest' }]);
    const encryption = result.answers[0]?.proposals[0];
    expect(encryption?.text).toBe('Databases and uploaded files are encrypted with AES-256 on disk.');
    for (const item of result.answers) {
      const confidences = item.proposals.map((proposal) => proposal.confidence);
      expect(confidences).toEqual([...confidences].sort((x, y) => y - x));
      for (const confidence of confidences) expect(confidence).toBeGreaterThan(0);
      expect(item.proposals.length).toBeLessThanOrEqual(3);
    }
  });

  it("never consults another tenant's knowledge base", async () => {
    const question = 'Are quokka backups tested every week?';
    const own = await answer(keys.bWriter, [question]);
    expect(bestSource(own, 0)).toBe('knowledge_base:quokka-backups');
    const other = await answer(keys.aReader, [question]);
    const cited = other.answers[0]?.proposals.flatMap((proposal) =>
      proposal.sources.map((source) => source.key),
    );
    expect(cited).not.toContain('quokka-backups');
    expect(JSON.stringify(other)).not.toContain('BOLT-ONLY');
  });

  it('refuses an entry beyond the most a knowledge base holds, and adds nothing', async () => {
    const { services } = holder.app;
    const full = (await services.tenants.create({ slug: 'full', name: 'Full' })).id;
    const ctx = systemContext(full);
    const knowledgeBase = Array.from({ length: MAX_KNOWLEDGE_ENTRIES }, (_, index) => ({
      ...insuranceEntry,
      key: `entry-${index}`,
    }));
    await services.transfer.importDraft(ctx, { ...sampleDocument('FULL'), knowledgeBase });
    const key = (await services.apiKeys.create(ctx, { name: 'Writer', scopes: ['content:write'] })).secret;
    const refused = await call(key, 'POST', '/knowledge-base', { ...passwordEntry, key: 'one-more' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('knowledge_base.full');
    expect((await services.knowledgeBase.list(ctx, { limit: 1 })).total).toBe(MAX_KNOWLEDGE_ENTRIES);
  });

  it('answers a 300-question batch in one request', async () => {
    const questions = Array.from({ length: 300 }, (_, index) =>
      index % 2
        ? `Question ${index}: is data encrypted at rest?`
        : `Frage ${index}: Wo werden Daten gehostet?`,
    );
    const result = await answer(keys.aReader, questions);
    expect(result.answers).toHaveLength(300);
    expect(bestSource(result, 299)).toBe('control:encryption-at-rest');
    expect(bestSource(result, 298)).toBe('faq:hosting');
  });

  it('travels in the trust-center file: a round trip keeps every entry, and older files leave it alone', async () => {
    const { services } = holder.app;
    const a = systemContext(tenantA);
    const exported = await services.transfer.exportDraft(a);
    expect(exported.knowledgeBase?.map((entry) => entry.key)).toEqual([
      'cyber-insurance',
      'password-hashing',
    ]);
    const file = formatTrustCenterFile(exported);
    expect(file).toContain('knowledgeBase:');

    const copy = (await services.tenants.create({ slug: 'copy', name: 'Copy' })).id;
    const c = systemContext(copy);
    await services.transfer.importDraft(c, parseTrustCenterFile(file));
    expect(await services.transfer.exportDraft(c)).toEqual(exported);

    // A file written before the knowledge base existed changes the rest and keeps the entries.
    const { knowledgeBase: _entries, ...older } = exported;
    const olderFile = formatTrustCenterFile({
      ...older,
      profile: { ...older.profile, tagline: 'Older file' },
    });
    expect(olderFile).not.toContain('knowledgeBase');
    await services.transfer.importDraft(c, parseTrustCenterFile(olderFile));
    expect((await services.transfer.exportDraft(c)).knowledgeBase).toEqual(exported.knowledgeBase);

    // A list replaces it: a changed entry is updated by key, a missing one goes.
    const [insurance] = exported.knowledgeBase ?? [];
    if (!insurance) throw new Error('no entry exported');
    await services.transfer.importDraft(c, {
      ...older,
      knowledgeBase: [{ ...insurance, answer: 'Changed.' }],
    });
    expect((await services.transfer.exportDraft(c)).knowledgeBase).toEqual([
      { ...insurance, answer: 'Changed.' },
    ]);
    await services.transfer.importDraft(c, { ...older, knowledgeBase: [] });
    expect((await services.transfer.exportDraft(c)).knowledgeBase).toBeUndefined();

    // A bad entry in a file is reported with its path, and nothing is imported.
    expect(() =>
      parseTrustCenterFile(
        formatTrustCenterFile({ ...older, knowledgeBase: [{ ...insurance }, { ...insurance }] }),
      ),
    ).toThrow(expect.objectContaining({ code: 'content.invalid_import' }));
  });
});
