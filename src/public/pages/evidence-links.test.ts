import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { trustCenterDocument } from '../../modules/content/content.contract.js';
import { evidenceCheckKeys } from '../../modules/evidence/evidence.contract.js';
import { toSnapshotContent } from '../../modules/publishing/publishing.service.js';
import type { Snapshot, SnapshotContent } from '../../modules/publishing/snapshot.contract.js';
import { securityJson } from '../json-views.js';
import { renderSecurityMarkdown } from '../markdown.js';
import type { PageContext } from './layout.js';
import { renderSecurityPage } from './security-page.js';

function demoContent(): SnapshotContent {
  const source = readFileSync(new URL('../../modules/demo/demo-trust-center.yaml', import.meta.url), 'utf8');
  return toSnapshotContent({ slug: 'demo', name: 'Attest Demo' }, trustCenterDocument.parse(parse(source)));
}

function contextFor(content: SnapshotContent, basePath = '/t/demo'): PageContext {
  const snapshot: Snapshot = {
    version: 3,
    publishedAt: new Date('2026-11-12T09:30:00.000Z'),
    contentSha256: 'b'.repeat(64),
    content,
  };
  return { snapshot, basePath, stylesheetHref: '/assets/site.0123456789.css' };
}

/** A snapshot taken before controls had evidence: no control has the field. */
function oldContent(): SnapshotContent {
  const content = demoContent();
  for (const category of content.categories) {
    for (const control of category.controls) delete control.evidence;
  }
  return content;
}

function controlHtml(page: string, key: string): string {
  const start = page.indexOf(`id="control-${key}"`);
  const next = page.indexOf('<li class="control"', start);
  return page.slice(start, next === -1 ? undefined : next);
}

describe('live evidence on the security page', () => {
  it('the demo snapshot carries evidence only on the controls it backs', () => {
    const controls = demoContent().categories.flatMap((category) => category.controls);
    expect(controls).toHaveLength(39);
    const backed = controls.filter((control) => control.evidence);
    expect(backed.map((control) => [control.key, control.evidence])).toContainEqual([
      'multi-tenant-isolation',
      ['tenant-isolation'],
    ]);
    // Every check backs at least one demo control, and no control lists an empty array.
    expect(new Set(backed.flatMap((control) => control.evidence)).size).toBe(evidenceCheckKeys.length);
    expect(backed.every((control) => (control.evidence?.length ?? 0) > 0)).toBe(true);
  });

  it('HTML links each check of a control to its entry on the evidence page', () => {
    const page = renderSecurityPage(contextFor(demoContent()));
    expect(controlHtml(page, 'multi-tenant-isolation')).toContain(
      '<p class="evidence-links">Live evidence: <a href="/t/demo/evidence#tenant-isolation">Tenant isolation in the database</a></p>',
    );
    expect(controlHtml(page, 'network-segmentation')).not.toContain('Live evidence');
    expect(page.match(/class="evidence-links"/g)).toHaveLength(15);
  });

  it('lists several checks comma-separated, and links relative to a custom domain', () => {
    const content = demoContent();
    const control = content.categories[0]?.controls[0];
    if (!control) throw new Error('demo has no controls');
    control.evidence = ['security-headers', 'tenant-isolation'];
    const page = renderSecurityPage(contextFor(content, ''));
    expect(controlHtml(page, control.key)).toContain(
      'Live evidence: <a href="/evidence#security-headers">Security headers on every page</a>, <a href="/evidence#tenant-isolation">Tenant isolation in the database</a>',
    );
  });

  it('JSON and Markdown list title and URL per check', () => {
    const ctx = contextFor(demoContent());
    const json = securityJson(ctx);
    const isolation = json.categories
      .flatMap((category) => category.controls)
      .find((control) => control.key === 'multi-tenant-isolation');
    expect(isolation?.evidence).toEqual([
      {
        check: 'tenant-isolation',
        title: 'Tenant isolation in the database',
        url: '/t/demo/evidence#tenant-isolation',
      },
    ]);
    expect(renderSecurityMarkdown(ctx)).toContain(
      '**Live evidence:** [Tenant isolation in the database](/t/demo/evidence#tenant-isolation)',
    );
  });

  it('renders a snapshot from before evidence existed, without any evidence', () => {
    const ctx = contextFor(oldContent());
    const page = renderSecurityPage(ctx);
    expect(page).toContain('39 Controls');
    expect(page).not.toContain('Live evidence');
    expect(renderSecurityMarkdown(ctx)).not.toContain('Live evidence');
    const json = JSON.stringify(securityJson(ctx));
    expect(json).not.toContain('"evidence"');
  });
});
