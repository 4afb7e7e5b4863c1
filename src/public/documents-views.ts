import { fileKindLabel, sizeLabel } from '../modules/documents/file-labels.js';
import { escapeMarkdown } from '../platform/text/markdown-escape.js';
import { categoryLabels, downloadHref, publishedDocuments, validityLabel } from './pages/documents-page.js';
import type { PageContext } from './pages/layout.js';
import { pagePaths } from './pages/paths.js';
import { publishedAtIso, publishedOn } from './pages/presentation.js';

/*
 * The documents page as JSON and Markdown. Fields are copied by name (the version's internal id
 * stays out); gated documents say how to get them rather than where.
 */

function today(ctx: PageContext): string {
  return publishedAtIso(ctx.snapshot).slice(0, 10);
}

export function documentsJson(ctx: PageContext) {
  const { snapshot } = ctx;
  const paths = pagePaths(ctx.basePath, 'documents');
  return {
    trustCenter: { name: snapshot.content.tenant.name, slug: snapshot.content.tenant.slug },
    version: snapshot.version,
    publishedAt: publishedAtIso(snapshot),
    documents: publishedDocuments(ctx).map((document) => ({
      id: document.id,
      title: document.title,
      description: document.description,
      category: document.category,
      access: document.accessLevel === 'public' ? 'public' : 'on_request',
      expiresOn: document.expiresOn,
      expired: document.expiresOn !== null && document.expiresOn < today(ctx),
      version: document.version,
      filename: document.filename,
      mediaType: document.mediaType,
      sizeBytes: document.sizeBytes,
      updatedAt: document.updatedAt,
      download: document.accessLevel === 'public' ? downloadHref(ctx, document) : null,
    })),
    nda: snapshot.content.nda
      ? { version: snapshot.content.nda.version, sha256: snapshot.content.nda.sha256 }
      : null,
    links: { html: paths.html, markdown: paths.markdown, requestAccess: `${paths.html}#request-access` },
  };
}

export function renderDocumentsMarkdown(ctx: PageContext): string {
  const { profile } = ctx.snapshot.content;
  const paths = pagePaths(ctx.basePath, 'documents');
  const documents = publishedDocuments(ctx);
  const blocks: string[] = [`# ${escapeMarkdown(profile.companyName)} Trust Center`, '## Documents'];
  if (documents.length === 0) blocks.push('No documents have been published.');
  for (const category of Object.keys(categoryLabels) as (keyof typeof categoryLabels)[]) {
    const items = documents.filter((document) => document.category === category);
    if (items.length === 0) continue;
    blocks.push(`### ${categoryLabels[category]}`);
    for (const document of items) {
      const validity = validityLabel(document, today(ctx));
      const meta = [
        fileKindLabel(document.mediaType),
        sizeLabel(document.sizeBytes),
        `version ${document.version}`,
      ];
      if (validity) meta.push(validity);
      const access =
        document.accessLevel === 'public'
          ? `[Download](${downloadHref(ctx, document)})`
          : `On request: [request access](${paths.html}#request-access)`;
      blocks.push(
        [
          `#### ${escapeMarkdown(document.title)}`,
          escapeMarkdown(document.description),
          meta.join(' · '),
          access,
        ]
          .filter(Boolean)
          .join('\n\n'),
      );
    }
  }
  blocks.push(
    '---',
    `Published version ${ctx.snapshot.version} · ${publishedOn(ctx.snapshot)} · [HTML](${paths.html}) · [JSON](${paths.json})`,
    'Powered by Attest',
  );
  return `${blocks.join('\n\n')}\n`;
}
