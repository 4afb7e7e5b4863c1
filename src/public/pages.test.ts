import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { trustCenterDocument } from '../modules/content/content.contract.js';
import { evidenceCheckKeys } from '../modules/evidence/evidence.contract.js';
import type { Snapshot, SnapshotContent } from '../modules/publishing/snapshot.contract.js';
import { escapeMarkdown } from '../platform/text/markdown-escape.js';
import { loadStylesheet } from './assets.js';
import { faqJson, overviewJson, securityJson, subprocessorsJson } from './json-views.js';
import {
  renderFaqMarkdown,
  renderOverviewMarkdown,
  renderSecurityMarkdown,
  renderSubprocessorsMarkdown,
} from './markdown.js';
import {
  type PageContext,
  renderFaqPage,
  renderNotFoundPage,
  renderOverviewPage,
  renderSecurityPage,
  renderSubprocessorsPage,
} from './pages.js';

function demoContent(): SnapshotContent {
  const source = readFileSync(new URL('../modules/demo/demo-trust-center.yaml', import.meta.url), 'utf8');
  const document = trustCenterDocument.parse(parse(source));
  return {
    schemaVersion: 1,
    tenant: { slug: 'demo', name: 'Attest Demo' },
    profile: document.profile,
    categories: document.categories.map((category) => ({
      key: category.key,
      name: category.name,
      description: category.description,
      controls: category.controls.map(({ reviewIntervalDays: _interval, ...control }) => control),
    })),
    faq: document.faq,
    subprocessors: document.subprocessors,
  };
}

function contextFor(content: SnapshotContent, basePath = '/t/demo'): PageContext {
  const snapshot: Snapshot = {
    version: 7,
    publishedAt: new Date('2026-11-12T09:30:00.000Z'),
    contentSha256: 'a'.repeat(64),
    content,
  };
  return { snapshot, basePath, stylesheetHref: '/assets/site.0123456789.css' };
}

const sampleDocumentEntry = {
  description: '',
  category: 'other' as const,
  expiresOn: null,
  versionId: 'v1',
  version: 1,
  filename: 'file.pdf',
  mediaType: 'application/pdf',
  sizeBytes: 1000,
  updatedAt: '2026-11-01T00:00:00.000Z',
};

const hostileTitle = '<img src=x onerror=alert(1)>';
const hostileBreakout = '"><script>alert(1)</script>';
const hostileMarkdown = '[click](javascript:alert(1)) <b>bold</b>';

function hostileContent(): SnapshotContent {
  const content = demoContent();
  const [first] = content.categories;
  const control = first?.controls[0];
  if (!first || !control) throw new Error('demo content has no controls');
  control.title = hostileTitle;
  control.description = `${hostileBreakout}\n\n${hostileMarkdown}`;
  control.frameworks = [{ framework: '<i>ISO</i>', reference: '"onclick=x' }];
  first.name = `${hostileBreakout} Category`;
  content.profile.companyName = `Evil ${hostileBreakout}`;
  content.profile.tagline = hostileMarkdown;
  content.profile.securityContact = 'javascript:alert(1)';
  content.faq[0] = { key: 'evil', question: hostileTitle, answer: hostileMarkdown };
  const subprocessor = content.subprocessors[0];
  if (subprocessor) {
    subprocessor.name = hostileMarkdown;
    subprocessor.purpose = 'pipe | in cell\nand a newline';
    subprocessor.website = 'javascript:alert(1)';
  }
  return content;
}

const pageRenderers = [renderOverviewPage, renderSecurityPage, renderSubprocessorsPage, renderFaqPage];
const markdownRenderers = [
  renderOverviewMarkdown,
  renderSecurityMarkdown,
  renderSubprocessorsMarkdown,
  renderFaqMarkdown,
];

/** Attributes and elements the CSP would block or that would run code. */
function expectNoActiveMarkup(page: string) {
  expect(page).not.toMatch(/<script/i);
  expect(page).not.toMatch(/<style/i);
  expect(page).not.toMatch(/<[^>]*\sstyle=/i);
  expect(page).not.toMatch(/<[^>]*\son[a-z]+=/i);
  expect(page).not.toMatch(/<img/i);
  expect(page).not.toMatch(/href="javascript:/i);
}

describe('security page', () => {
  const content = demoContent();
  const page = renderSecurityPage(contextFor(content));

  it('shows the totals the demo promises', () => {
    expect(page).toContain('Trust Center');
    expect(page).toContain('39 Controls');
    for (const count of ['12 Controls', '8 Controls', '10 Controls', '9 Controls'])
      expect(page).toContain(count);
    expect(page).toContain('Security Measures');
  });

  it('shows every control with its status as text', () => {
    const titles = content.categories.flatMap((category) =>
      category.controls.map((control) => control.title),
    );
    expect(titles).toHaveLength(39);
    for (const title of titles) expect(page).toContain(`<h3>${title.replaceAll('&', '&amp;')}</h3>`);
    expect(page).toContain('Implemented</span>');
    expect(page).toContain('Last reviewed <time datetime="2026-10-14">2026-10-14</time>');
    expect(page).toContain('<li class="tag">ISO 27001:2022 A.8.24</li>');
  });

  it('links the table of contents to category anchors', () => {
    expect(page).toContain('href="#cat-infrastructure-security"');
    expect(page).toContain('id="cat-infrastructure-security"');
  });

  it('is an accessible document with one h1 and the shared chrome', () => {
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('<title>Security Measures · Attest Demo Trust Center</title>');
    expect(page).toContain('<link rel="stylesheet" href="/assets/site.0123456789.css">');
    expect(page).toContain('<link rel="alternate" type="application/json" href="/t/demo/security.json">');
    expect(page).toContain('<link rel="alternate" type="text/markdown" href="/t/demo/security.md">');
    expect(page).toContain('<a class="skip-link" href="#main">');
    expect(page).toContain('<nav class="site-nav" aria-label="Trust center">');
    expect(page).toContain('<a href="/t/demo/security" aria-current="page">Security</a>');
    expect(page).toContain('<main id="main"');
    expect(page.match(/<h1[\s>]/g)).toHaveLength(1);
    expect(page).toContain(
      'Published version 7 · <time datetime="2026-11-12T09:30:00.000Z">2026-11-12</time>',
    );
    expect(page).toContain('Powered by Attest');
  });
});

describe('other pages', () => {
  const ctx = contextFor(demoContent(), '');

  it('overview shows the profile, cards and a mailto: contact', () => {
    const page = renderOverviewPage(ctx);
    expect(page).toContain('<h1>Attest Demo</h1>');
    expect(page).toContain('39 Controls in 4 categories');
    expect(page).toContain('7 subprocessors');
    expect(page).toContain('13 questions');
    expect(page).toContain('<a href="mailto:security@attest.example">security@attest.example</a>');
    expect(page).toContain('<a href="/" aria-current="page">Overview</a>');
    expect(page).toContain('href="/overview.json"');
  });

  it('overview summarises documents, updates and live evidence only when there are some, the same in HTML, JSON and Markdown', () => {
    const bare = demoContent();
    for (const category of bare.categories) for (const control of category.controls) delete control.evidence;
    const plain = contextFor(bare, '');
    expect(renderOverviewPage(plain)).not.toMatch(/card-link" href="\/(documents|updates|evidence)"/);
    expect(renderOverviewMarkdown(plain)).not.toMatch(/## (Documents|Updates|Live evidence)/);
    expect(overviewJson(plain).sections.map((section) => section.page)).toEqual([
      'security',
      'subprocessors',
      'faq',
    ]);

    const full = contextFor(
      {
        ...demoContent(),
        documents: [
          { ...sampleDocumentEntry, id: 'd1', title: 'SOC 2 report', accessLevel: 'gated' },
          { ...sampleDocumentEntry, id: 'd2', title: 'Security overview', accessLevel: 'public' },
        ],
        updates: [
          {
            id: 'u2',
            kind: 'general',
            title: 'Newest post',
            body: 'b',
            publishedAt: '2026-11-20T10:00:00.000Z',
          },
          {
            id: 'u1',
            kind: 'general',
            title: 'Older post',
            body: 'a',
            publishedAt: '2026-10-01T10:00:00.000Z',
          },
        ],
      },
      '',
    );
    const sections = overviewJson(full).sections;
    expect(sections.map((section) => section.page)).toEqual([
      'security',
      'evidence',
      'documents',
      'subprocessors',
      'updates',
      'faq',
    ]);
    const html = renderOverviewPage(full);
    const markdown = renderOverviewMarkdown(full);
    for (const section of sections) {
      expect(html).toContain(section.summary);
      expect(markdown).toContain(section.summary);
    }
    expect(sections.find((section) => section.page === 'documents')).toMatchObject({
      summary: '2 documents',
      detail: '1 to download · 1 on request, under NDA',
      url: '/documents.json',
    });
    expect(sections.find((section) => section.page === 'updates')?.detail).toBe(
      'Latest: Newest post (2026-11-20)',
    );
    expect(sections.find((section) => section.page === 'evidence')?.summary).toMatch(
      new RegExp(`^${evidenceCheckKeys.length} live checks behind \\d+ controls$`),
    );
    expect(html).toContain('<a class="card-link" href="/evidence">Live evidence</a>');
  });

  it('subprocessors page is a captioned table with safe outbound links', () => {
    const page = renderSubprocessorsPage(ctx);
    expect(page).toContain('<caption id="subprocessors-caption">');
    expect(page).toContain('<th scope="col">Transfer safeguards</th>');
    expect(page).toContain(
      '<a href="https://www.hetzner.com/" rel="noopener noreferrer nofollow">www.hetzner.com</a>',
    );
  });

  it('FAQ page shows every question', () => {
    const page = renderFaqPage(ctx);
    for (const item of ctx.snapshot.content.faq)
      expect(page).toContain(item.question.replaceAll("'", '&#39;'));
  });

  it('not-found page carries no tenant data', () => {
    const page = renderNotFoundPage({ stylesheetHref: '/assets/site.0123456789.css' });
    expect(page).toContain('Page not found');
    expect(page).not.toContain('Attest Demo');
    expectNoActiveMarkup(page);
  });

  it('no page contains scripts or inline styles', () => {
    for (const render of pageRenderers) {
      const page = render(ctx);
      expect(page).not.toContain('<script');
      expect(page).not.toContain('style=');
      expect(page).not.toContain('<style');
    }
  });

  it('splits multi-line text into paragraphs', () => {
    const content = demoContent();
    content.profile.intro = 'First paragraph\nstill first.\n\n  Second paragraph.';
    const page = renderOverviewPage(contextFor(content));
    expect(page).toContain('<p>First paragraph\nstill first.</p><p>Second paragraph.</p>');
  });
});

describe('hostile content', () => {
  const ctx = contextFor(hostileContent());

  it('is escaped in every HTML page and never appears raw', () => {
    for (const render of pageRenderers) {
      const page = render(ctx);
      expect(page).not.toContain(hostileTitle);
      expect(page).not.toContain(hostileBreakout);
      expectNoActiveMarkup(page);
    }
    const security = renderSecurityPage(ctx);
    expect(security).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(security).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(security).toContain('&lt;i&gt;ISO&lt;/i&gt; &quot;onclick=x');
  });

  it('does not link a non-e-mail, non-https security contact or website', () => {
    expect(renderOverviewPage(ctx)).toContain('<span class="contact-text">javascript:alert(1)</span>');
    expect(renderSubprocessorsPage(ctx)).not.toContain('javascript:alert(1)"');
  });

  it('is neutralised in every Markdown view', () => {
    for (const render of markdownRenderers) {
      const markdown = render(ctx);
      expect(markdown).not.toContain('[click](');
      // An escaped "\\<" is literal text; only an unescaped "<" could open a tag.
      expect(markdown).not.toMatch(/(?<!\\)<(b|img|script|i)\b/);
    }
    const security = renderSecurityMarkdown(ctx);
    expect(security).toContain('\\[click\\](javascript:alert(1)) \\<b\\>bold\\</b\\>');
    expect(security).toContain('#### \\<img src=x onerror=alert(1)\\>');
  });

  it('keeps table cells on one line with escaped pipes', () => {
    const markdown = renderSubprocessorsMarkdown(ctx);
    expect(markdown).toContain('pipe \\| in cell and a newline');
    const rows = markdown.split('\n').filter((line) => line.startsWith('| '));
    expect(rows).toHaveLength(2 + 7);
    for (const row of rows) expect(row.split(/(?<!\\)\|/)).toHaveLength(9);
  });
});

describe('escapeMarkdown', () => {
  it('neutralises block syntax at the start of a line', () => {
    expect(escapeMarkdown('# Heading')).toBe('\\# Heading');
    expect(escapeMarkdown('- item')).toBe('\\- item');
    expect(escapeMarkdown('1. item')).toBe('1\\. item');
    expect(escapeMarkdown('> quote')).toBe('\\> quote');
    expect(escapeMarkdown('text\n# not a heading')).toBe('text \\# not a heading');
  });

  it('keeps ordinary punctuation readable but escapes entities and emphasis', () => {
    expect(escapeMarkdown('Firewall & Network Protection')).toBe('Firewall & Network Protection');
    expect(escapeMarkdown('&lt;b&gt;')).toBe('\\&lt;b\\&gt;');
    expect(escapeMarkdown('*bold* _it_ `code` ~~gone~~')).toBe(
      '\\*bold\\* \\_it\\_ \\`code\\` \\~\\~gone\\~\\~',
    );
  });
});

describe('markdown views', () => {
  const ctx = contextFor(demoContent());

  it('security markdown has the agreed structure', () => {
    const markdown = renderSecurityMarkdown(ctx);
    expect(markdown.startsWith('# Attest Demo Trust Center\n')).toBe(true);
    expect(markdown).toContain('\n**39 Controls**\n');
    expect(markdown).toContain('\n## Security Measures\n');
    expect(markdown).toContain('\n### Infrastructure Security (12 Controls)\n');
    expect(markdown).toContain(
      '\n#### Encryption in Transit\n\n**Status:** Implemented · Last reviewed 2026-10-14\n',
    );
    expect(markdown).toContain('**Frameworks:** ISO 27001:2022 A.8.24 · SOC 2 CC6.7 · GDPR Art. 32');
  });

  it('every view renders', () => {
    for (const render of markdownRenderers) expect(render(ctx)).toContain('Powered by Attest');
  });
});

describe('JSON views', () => {
  const ctx = contextFor(demoContent());

  it('securityJson has the agreed shape and counts', () => {
    const view = securityJson(ctx);
    expect(view.trustCenter).toEqual({ name: 'Attest Demo', slug: 'demo' });
    expect(view.version).toBe(7);
    expect(view.publishedAt).toBe('2026-11-12T09:30:00.000Z');
    expect(view.totalControls).toBe(39);
    expect(view.categories.map((category) => category.controlCount)).toEqual([12, 8, 10, 9]);
    expect(Object.values(view.statusCounts).reduce((sum, count) => sum + count, 0)).toBe(39);
    expect(view.categories[0]?.name).toBe('Infrastructure Security');
    expect(view.categories[0]?.controls[0]).toEqual({
      key: 'encryption-in-transit',
      title: 'Encryption in Transit',
      description: expect.stringContaining('HTTPS'),
      status: 'implemented',
      lastReviewedOn: '2026-10-14',
      frameworks: [
        { framework: 'ISO 27001:2022', reference: 'A.8.24' },
        { framework: 'SOC 2', reference: 'CC6.7' },
        { framework: 'GDPR', reference: 'Art. 32' },
      ],
      evidence: [
        {
          check: 'security-headers',
          title: 'Security headers on every page',
          url: '/t/demo/evidence#security-headers',
        },
      ],
      // No check fails in this context: the evidence holds.
      verification: { status: 'holding', failingSince: null, failingChecks: [] },
    });
    expect(view.verificationFailing).toBe(0);
    // A control without evidence carries no evidence field at all.
    expect(view.categories[0]?.controls[2]).not.toHaveProperty('evidence');
    expect(view.categories[0]?.controls[2]).not.toHaveProperty('verification');
    expect(view.links).toEqual({ html: '/t/demo/security', markdown: '/t/demo/security.md' });
  });

  it('publishes nothing that is not in the snapshot', () => {
    const content = demoContent();
    const control = content.categories[0]?.controls[0] as unknown as Record<string, unknown>;
    control.internalNote = 'draft-only-note';
    const serialized = JSON.stringify(
      [overviewJson, securityJson, subprocessorsJson, faqJson].map((view) => view(contextFor(content))),
    );
    expect(serialized).not.toContain('draft-only-note');
    expect(serialized).not.toContain('reviewIntervalDays');
  });

  it('the other views count what they list', () => {
    expect(overviewJson(ctx).totalControls).toBe(39);
    expect(subprocessorsJson(ctx).subprocessors).toHaveLength(7);
    expect(faqJson(ctx).faq).toHaveLength(13);
  });
});

describe('stylesheet', () => {
  it('has a content-hashed href', () => {
    const stylesheet = loadStylesheet();
    expect(stylesheet.href).toMatch(/^\/assets\/site\.[0-9a-f]{10}\.css$/);
    expect(stylesheet.body.toString('utf8')).toContain('prefers-color-scheme: dark');
  });
});
