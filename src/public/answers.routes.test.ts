import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../test/support/app.js';
import { testDatabaseKinds } from '../../test/support/databases.js';
import { sampleDocument } from '../../test/support/fixtures.js';
import type { TrustCenterDocument } from '../modules/content/content.contract.js';
import { systemContext } from '../platform/auth/context.js';
import { SEARCHES_PER_NETWORK } from './answers.routes.js';

function documentWithAnswers(label: string): TrustCenterDocument {
  const entry = (
    key: string,
    question: string,
    answer: string,
    visibility: 'public' | 'nda' | 'internal',
  ) => ({
    key,
    question,
    answer,
    shortAnswer: 'yes' as const,
    owner: '',
    lastReviewedOn: null,
    reviewIntervalDays: 365,
    references: [],
    visibility,
  });
  return {
    ...sampleDocument(label),
    knowledgeBase: [
      entry(
        'password-hashing',
        'How are passwords hashed?',
        `${label} PUBLIC: argon2id with a salt.`,
        'public',
      ),
      entry(
        'cyber-insurance',
        'Do you hold cyber insurance?',
        `${label} NDA-ONLY: five million euros.`,
        'nda',
      ),
      entry(
        'red-team',
        'Do you run a red team exercise?',
        `${label} INTERNAL-ONLY: not yet, planned.`,
        'internal',
      ),
    ],
  };
}

describe.each(testDatabaseKinds)('the public "Search our answers" page on $name', (kind) => {
  const holder = useTestApp(kind);

  const get = (url: string) => holder.app.server.inject({ url });

  beforeAll(async () => {
    const { services } = holder.app;
    const acme = (await services.tenants.create({ slug: 'acme', name: 'Acme' })).id;
    const bolt = (await services.tenants.create({ slug: 'bolt', name: 'Bolt' })).id;
    await services.transfer.importDraft(systemContext(acme), documentWithAnswers('ACME'), { publish: true });
    await services.transfer.importDraft(systemContext(bolt), documentWithAnswers('BOLT'), { publish: true });
    // A public entry added after the publish is a draft: the public cannot find it yet.
    await services.knowledgeBase.create(systemContext(acme), {
      key: 'unpublished',
      question: 'Do you scan for malware?',
      answer: 'ACME DRAFT: every upload is scanned.',
      visibility: 'public',
    });
  });

  it('answers from published public entries, controls and FAQ, quoted, with their sources, without JavaScript', async () => {
    const empty = await get('/t/acme/answers');
    expect(empty.statusCode).toBe(200);
    expect(empty.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(empty.body).toContain('<form class="answers-form" method="get" action="/t/acme/answers"');
    expect(empty.body).not.toContain('<script');
    // The FAQ page leads there.
    expect((await get('/t/acme/faq')).body).toContain('method="get" action="/t/acme/answers" role="search"');

    const found = await get(`/t/acme/answers?q=${encodeURIComponent('How do you hash passwords?')}`);
    expect(found.statusCode).toBe(200);
    expect(found.body).toContain('ACME PUBLIC: argon2id with a salt.');
    expect(found.body).toContain('<strong>Yes.</strong>');

    const hosting = await get(`/t/acme/answers?q=${encodeURIComponent('Wo werden die Daten gehostet?')}`);
    expect(hosting.body).toContain('href="/t/acme/faq#faq-hosting"');
    expect(hosting.body).toContain('In the EU.');
    const backups = await get('/t/acme/answers?q=backups');
    expect(backups.body).toContain('href="/t/acme/security#control-backups"');
  });

  it('never shows NDA-only, internal or unpublished entries, nor another trust center', async () => {
    for (const question of [
      'Do you hold cyber insurance?',
      'Do you run a red team exercise?',
      'Do you scan for malware?',
      'How are passwords hashed?',
    ]) {
      const response = await get(`/t/acme/answers?q=${encodeURIComponent(question)}`);
      expect(response.statusCode).toBe(200);
      expect(response.body).not.toMatch(/NDA-ONLY|INTERNAL-ONLY|ACME DRAFT|BOLT/);
    }
    const snapshot = (await get('/t/acme/faq.json')).body;
    expect(snapshot).not.toMatch(/NDA-ONLY|INTERNAL-ONLY/);
  });

  it('refuses hostile searches with a 4xx page and an unknown trust center with 404', async () => {
    expect((await get(`/t/acme/answers?q=${'x'.repeat(301)}`)).statusCode).toBe(400);
    expect((await get('/t/acme/answers?q=a%00b')).statusCode).toBe(400);
    expect((await get('/t/acme/answers?q=a&q=b')).statusCode).toBe(400);
    const escaped = await get(`/t/acme/answers?q=${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(escaped.statusCode).toBe(200);
    expect(escaped.body).not.toContain('<script>alert(1)</script>');
    expect(escaped.body).toContain('&lt;script&gt;');
    expect((await get('/t/nobody/answers?q=passwords')).statusCode).toBe(404);
  });

  it('limits searches per client network', async () => {
    let last = 0;
    for (let index = 0; index <= SEARCHES_PER_NETWORK.limit; index += 1) {
      last = (await get(`/t/acme/answers?q=passwords+${index}`)).statusCode;
      if (last === 429) break;
    }
    expect(last).toBe(429);
    // The form itself still opens, so the visitor reads why.
    expect((await get('/t/acme/answers')).statusCode).toBe(200);
  });
});
