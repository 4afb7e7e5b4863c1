import type { PublishedUpdate } from '../modules/publishing/snapshot.contract.js';
import { renderUpdateBody } from '../modules/updates/update-body.js';
import type { PageContext } from './pages/layout.js';
import { statusLabels } from './pages/presentation.js';
import { updateKindLabels } from './pages/updates-page.js';
import { failingVerification, sinceLabel, VERIFICATION_FAILING } from './pages/verification.js';

/*
 * The updates feed as RSS 2.0, Atom 1.0 and JSON Feed 1.1: pure functions of a published snapshot
 * like every public page. Links are absolute (feed readers need them), built from our own paths.
 */

export interface FeedContext extends PageContext {
  /** The origin of the site the feed describes: the platform's, or the tenant's custom domain. */
  origin: string;
}

/** XML 1.0 allows these code points only; anything else (control characters, lone surrogates) is dropped. */
function isXmlCharacter(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

export function escapeXml(value: string): string {
  let clean = '';
  for (const character of value) if (isXmlCharacter(character.codePointAt(0) ?? 0)) clean += character;
  return clean.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function links(ctx: FeedContext) {
  const base = `${ctx.origin}${ctx.basePath}`;
  return {
    page: `${base}/updates`,
    rss: `${base}/updates.rss`,
    atom: `${base}/updates.atom`,
    json: `${base}/updates.json`,
    item: (update: PublishedUpdate) => `${base}/updates#update-${update.id}`,
  };
}

function feedTitle(ctx: FeedContext): string {
  return `${ctx.snapshot.content.profile.companyName} Trust Center updates`;
}

function updates(ctx: FeedContext): PublishedUpdate[] {
  return ctx.snapshot.content.updates ?? [];
}

/**
 * A published control whose live evidence does not hold now, as a feed entry dated when it began
 * failing: a reader following the trust center hears of it. The entry goes away when the check
 * passes again or an editor changes the claim; another failing episode is another entry.
 */
interface VerificationItem {
  id: string;
  title: string;
  url: string;
  date: string;
  text: string;
}

function verificationItems(ctx: FeedContext): VerificationItem[] {
  const base = `${ctx.origin}${ctx.basePath}`;
  return ctx.snapshot.content.categories
    .flatMap((category) => category.controls)
    .flatMap((control) => {
      const verification = failingVerification(control, ctx);
      if (!verification) return [];
      const checks = [
        ...verification.checks.map((check) => check.title),
        ...verification.hostChecks.map((check) => check.label),
      ].join(', ');
      return [
        {
          id: `urn:attest:verification-failing:${control.key}:${Date.parse(verification.since)}`,
          title: `${VERIFICATION_FAILING}: ${control.title}`,
          url: `${base}/security#control-${control.key}`,
          date: verification.since,
          text: `${control.title} is published as ${statusLabels[control.status]}. Since ${sinceLabel(verification.since)} the live evidence that backs it does not hold: ${checks}. Details: ${base}/evidence`,
        },
      ];
    })
    .sort((a, b) => b.date.localeCompare(a.date));
}

function lastUpdated(ctx: FeedContext): string {
  const dates = [
    updates(ctx)[0]?.publishedAt ?? ctx.snapshot.publishedAt.toISOString(),
    ...verificationItems(ctx).map((item) => item.date),
  ];
  return dates.reduce((latest, date) => (Date.parse(date) > Date.parse(latest) ? date : latest));
}

export function renderRss(ctx: FeedContext): string {
  const url = links(ctx);
  const items = updates(ctx).map(
    (update) => `<item>
<title>${escapeXml(update.title)}</title>
<link>${escapeXml(url.item(update))}</link>
<guid isPermaLink="false">urn:uuid:${escapeXml(update.id)}</guid>
<pubDate>${new Date(update.publishedAt).toUTCString()}</pubDate>
<category>${escapeXml(updateKindLabels[update.kind])}</category>
<description>${escapeXml(renderUpdateBody(update.body))}</description>
</item>`,
  );
  const failing = verificationItems(ctx).map(
    (item) => `<item>
<title>${escapeXml(item.title)}</title>
<link>${escapeXml(item.url)}</link>
<guid isPermaLink="false">${escapeXml(item.id)}</guid>
<pubDate>${new Date(item.date).toUTCString()}</pubDate>
<category>${VERIFICATION_FAILING}</category>
<description>${escapeXml(item.text)}</description>
</item>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>${escapeXml(feedTitle(ctx))}</title>
<link>${escapeXml(url.page)}</link>
<description>${escapeXml(`Security, privacy and subprocessor updates from ${ctx.snapshot.content.profile.companyName}.`)}</description>
<language>en</language>
<atom:link href="${escapeXml(url.rss)}" rel="self" type="application/rss+xml"/>
<lastBuildDate>${new Date(lastUpdated(ctx)).toUTCString()}</lastBuildDate>
${[...failing, ...items].join('\n')}
</channel>
</rss>
`;
}

export function renderAtom(ctx: FeedContext): string {
  const url = links(ctx);
  const entries = updates(ctx).map(
    (update) => `<entry>
<id>urn:uuid:${escapeXml(update.id)}</id>
<title type="text">${escapeXml(update.title)}</title>
<link rel="alternate" type="text/html" href="${escapeXml(url.item(update))}"/>
<published>${escapeXml(update.publishedAt)}</published>
<updated>${escapeXml(update.publishedAt)}</updated>
<category term="${escapeXml(update.kind)}" label="${escapeXml(updateKindLabels[update.kind])}"/>
<content type="html">${escapeXml(renderUpdateBody(update.body))}</content>
</entry>`,
  );
  const failing = verificationItems(ctx).map(
    (item) => `<entry>
<id>${escapeXml(item.id)}</id>
<title type="text">${escapeXml(item.title)}</title>
<link rel="alternate" type="text/html" href="${escapeXml(item.url)}"/>
<published>${escapeXml(item.date)}</published>
<updated>${escapeXml(item.date)}</updated>
<category term="verification_failing" label="${VERIFICATION_FAILING}"/>
<content type="text">${escapeXml(item.text)}</content>
</entry>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<id>${escapeXml(url.atom)}</id>
<title type="text">${escapeXml(feedTitle(ctx))}</title>
<updated>${escapeXml(lastUpdated(ctx))}</updated>
<author><name>${escapeXml(ctx.snapshot.content.profile.companyName)}</name></author>
<link rel="self" type="application/atom+xml" href="${escapeXml(url.atom)}"/>
<link rel="alternate" type="text/html" href="${escapeXml(url.page)}"/>
${[...failing, ...entries].join('\n')}
</feed>
`;
}

export function renderJsonFeed(ctx: FeedContext): string {
  const url = links(ctx);
  return JSON.stringify(
    {
      version: 'https://jsonfeed.org/version/1.1',
      title: feedTitle(ctx),
      home_page_url: url.page,
      feed_url: url.json,
      language: 'en',
      items: [
        ...verificationItems(ctx).map((item) => ({
          id: item.id,
          url: item.url,
          title: item.title,
          content_text: item.text,
          date_published: item.date,
          tags: ['verification_failing'],
        })),
        ...updates(ctx).map((update) => ({
          id: `urn:uuid:${update.id}`,
          url: url.item(update),
          title: update.title,
          content_html: renderUpdateBody(update.body),
          date_published: update.publishedAt,
          tags: [update.kind],
        })),
      ],
    },
    null,
    2,
  );
}
