import type { PublishedCategory, PublishedControl } from '../modules/publishing/snapshot.contract.js';
import { escapeMarkdown } from '../platform/text/markdown-escape.js';
import { certificationBadges, todayOf } from './pages/certification-badges.js';
import { controlProof } from './pages/control-proof.js';
import type { PageContext } from './pages/layout.js';
import { overviewSections } from './pages/overview-sections.js';
import { type PageName, pagePaths } from './pages/paths.js';
import {
  controlCountLabel,
  countByStatus,
  countControls,
  frameworkLabel,
  paragraphs,
  pluralize,
  publishedOn,
  safeHttpUrl,
  securityContact,
  statusLabels,
  usedStatuses,
} from './pages/presentation.js';
import { changeSentence, objectionContact, upcomingChanges } from './pages/upcoming-changes.js';
import { updateKindLabels } from './pages/updates-page.js';
import {
  failingVerification,
  hostCheckLabel,
  hostCheckStatusLabels,
  hostChecksOf,
  shownCounts,
  sinceLabel,
  VERIFICATION_FAILING,
} from './pages/verification.js';

/*
 * The public pages as Markdown, for people and tools that read trust centers as text. Tenant text
 * is plain text: every character a Markdown renderer would act on is escaped, so content can
 * never turn into a link, an image, raw HTML, a heading or a table in someone else's renderer.
 */

/** Free text as Markdown paragraphs, split on blank lines like the HTML view. */
function escapeProse(text: string): string[] {
  return paragraphs(text).map(escapeMarkdown);
}

function escapeTableCell(text: string): string {
  return escapeMarkdown(text) || ' ';
}

function document(blocks: (string | string[] | null | false)[]): string {
  return `${blocks
    .flat()
    .filter((block): block is string => typeof block === 'string' && block.length > 0)
    .join('\n\n')}\n`;
}

function siteHeading(ctx: PageContext): string {
  return `# ${escapeMarkdown(ctx.snapshot.content.profile.companyName)} Trust Center`;
}

/** Links point at paths we build ourselves, never at tenant text. */
function footer(ctx: PageContext, page: PageName): string[] {
  const paths = pagePaths(ctx.basePath, page);
  return [
    '---',
    `Published version ${ctx.snapshot.version} · ${publishedOn(ctx.snapshot)} · [HTML](${paths.html}) · [JSON](${paths.json})`,
    'Powered by Attest',
  ];
}

function certificationsMarkdown(ctx: PageContext): string[] {
  const badges = certificationBadges(ctx.basePath, ctx.snapshot.content, todayOf(ctx));
  if (badges.length === 0) return [];
  return [
    '## Certifications',
    badges
      .map(
        (badge) =>
          `- **${escapeMarkdown(badge.name)}** · ${badge.validity} · audited by ${escapeMarkdown(badge.auditor)} · report: [${escapeMarkdown(badge.report.title)}](${badge.report.url})${badge.report.accessLevel === 'gated' ? ' (on request)' : ''} · SHA-256 ${badge.report.sha256}`,
      )
      .join('\n'),
  ];
}

export function renderOverviewMarkdown(ctx: PageContext): string {
  const { profile } = ctx.snapshot.content;
  const contact = securityContact(profile.securityContact);
  const contactText =
    contact &&
    (contact.kind === 'email' ? contact.address : contact.kind === 'url' ? contact.url : contact.text);
  const pages = (page: PageName) => pagePaths(ctx.basePath, page).markdown;
  return document([
    siteHeading(ctx),
    profile.tagline && `*${escapeMarkdown(profile.tagline)}*`,
    escapeProse(profile.intro),
    overviewSections(ctx.snapshot.content).flatMap((section) => [
      `## ${section.title}`,
      `${section.stat}. ${escapeMarkdown(/[.!?)]$/.test(section.detail) ? section.detail : `${section.detail}.`)} [Read more](${pages(section.page)})`,
    ]),
    certificationsMarkdown(ctx),
    contactText && ['## Security contact', escapeMarkdown(contactText)],
    footer(ctx, 'overview'),
  ]);
}

function controlMarkdown(ctx: PageContext, control: PublishedControl): string[] {
  const basePath = ctx.basePath;
  const verification = failingVerification(control, ctx);
  const status = [
    verification
      ? `**Status:** ${VERIFICATION_FAILING} since ${sinceLabel(verification.since)} (published as ${statusLabels[control.status]}; failing: ${[...verification.checks.map((check) => `[${escapeMarkdown(check.title)}](${basePath.replace(/\/+$/, '')}/evidence#${check.check})`), ...verification.hostChecks.map((check) => escapeMarkdown(check.label))].join(', ')})`
      : `**Status:** ${statusLabels[control.status]}`,
  ];
  if (control.lastReviewedOn) status.push(`Last reviewed ${escapeMarkdown(control.lastReviewedOn)}`);
  const frameworks = control.frameworks.map((reference) => escapeMarkdown(frameworkLabel(reference)));
  const proof = controlProof(ctx.basePath, ctx.snapshot.content, control);
  // The link targets are paths we build from check keys and document ids, never tenant text.
  const evidence = proof.checks.map((link) => `[${escapeMarkdown(link.title)}](${link.url})`);
  const documents = proof.documents.map(
    (document) =>
      `[${escapeMarkdown(document.title)}](${document.url})${document.accessLevel === 'gated' ? ' (on request)' : ''}`,
  );
  // A tenant's URL is written as escaped text, not as a link: it cannot become markup.
  const artifacts = proof.artifacts.map(
    (artifact) =>
      `${escapeMarkdown(artifact.title)} (${artifact.url ? escapeMarkdown(artifact.url) : `${escapeMarkdown(artifact.path ?? '')} in the source repository`})`,
  );
  const attestation = proof.attestation;
  // The tenant's host checks by name and kind; never their targets.
  const hostChecks = hostChecksOf(control, ctx).map(
    (check) =>
      `${escapeMarkdown(hostCheckLabel(check))}: ${hostCheckStatusLabels[check.status]}${check.failingSince ? ` since ${sinceLabel(check.failingSince)}` : ''}`,
  );
  return [
    `#### ${escapeMarkdown(control.title)}`,
    status.join(' · '),
    ...escapeProse(control.description),
    ...(frameworks.length > 0 ? [`**Frameworks:** ${frameworks.join(' · ')}`] : []),
    ...(evidence.length > 0 ? [`**Live evidence:** ${evidence.join(' · ')}`] : []),
    ...(hostChecks.length > 0 ? [`**Host checks:** ${hostChecks.join(' · ')}`] : []),
    ...(documents.length > 0 ? [`**Documents:** ${documents.join(' · ')}`] : []),
    ...(artifacts.length > 0 ? [`**Public artifacts:** ${artifacts.join(' · ')}`] : []),
    ...(attestation
      ? [
          `**Attested by** ${escapeMarkdown(attestation.attestedBy)} on ${escapeMarkdown(attestation.attestedOn)}: ${escapeMarkdown(attestation.statement.replace(/\s+/g, ' '))}`,
        ]
      : []),
  ];
}

function categoryMarkdown(ctx: PageContext, category: PublishedCategory): string[] {
  return [
    `### ${escapeMarkdown(category.name)} (${controlCountLabel(category.controls.length)})`,
    ...escapeProse(category.description),
    ...category.controls.flatMap((control) => controlMarkdown(ctx, control)),
  ];
}

export function renderSecurityMarkdown(ctx: PageContext): string {
  const { profile, categories } = ctx.snapshot.content;
  const { counts, unverified } = shownCounts(countByStatus(categories), categories, ctx);
  const summary = [
    ...usedStatuses(counts).map((status) => `${statusLabels[status]}: ${counts[status]}`),
    ...(unverified > 0 ? [`${VERIFICATION_FAILING}: ${unverified}`] : []),
  ].join(' · ');
  return document([
    siteHeading(ctx),
    `**${controlCountLabel(countControls(categories))}**`,
    summary,
    '## Security Measures',
    `The technical and organisational measures ${escapeMarkdown(profile.companyName)} uses to protect its service and your data, with the current status of each.`,
    categories.length === 0
      ? 'No security measures have been published yet.'
      : categories.flatMap((category) => categoryMarkdown(ctx, category)),
    footer(ctx, 'security'),
  ]);
}

const subprocessorColumns = [
  'Name',
  'Legal entity',
  'Purpose',
  'Data processed',
  'Location',
  'Transfer safeguards',
  'Website',
];

function tableRow(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

export function renderSubprocessorsMarkdown(ctx: PageContext): string {
  const { profile, subprocessors } = ctx.snapshot.content;
  const rows = subprocessors.map((subprocessor) =>
    tableRow(
      [
        subprocessor.name,
        subprocessor.legalEntity,
        subprocessor.purpose,
        subprocessor.dataProcessed,
        subprocessor.location,
        subprocessor.transferSafeguards,
        safeHttpUrl(subprocessor.website)?.href ?? '',
      ].map(escapeTableCell),
    ),
  );
  const table = [tableRow(subprocessorColumns), tableRow(subprocessorColumns.map(() => '---')), ...rows].join(
    '\n',
  );
  const changes = upcomingChanges(ctx.snapshot.content);
  const contact = objectionContact(ctx.snapshot.content);
  return document([
    siteHeading(ctx),
    '## Subprocessors',
    `The third parties that process personal data on behalf of ${escapeMarkdown(profile.companyName)}: ${pluralize(subprocessors.length, 'subprocessor')}. List as of ${publishedOn(ctx.snapshot)}.`,
    subprocessors.length > 0 && table,
    changes.length > 0 && [
      '## Upcoming changes',
      changes
        .map(
          (change) =>
            `- From ${change.effectiveOn}: ${escapeMarkdown(changeSentence(ctx.snapshot.content, change))}. Announced ${change.announcedOn}.${change.summary ? ` ${escapeMarkdown(change.summary)}` : ''}`,
        )
        .join('\n'),
      contact ? `To object to a change, contact ${escapeMarkdown(contact.text)} before its date.` : '',
    ],
    footer(ctx, 'subprocessors'),
  ]);
}

export function renderUpdatesMarkdown(ctx: PageContext): string {
  const updates = ctx.snapshot.content.updates ?? [];
  return document([
    siteHeading(ctx),
    '## Updates',
    updates.length === 0 ? 'No updates have been published yet.' : '',
    updates.flatMap((update) => [
      `### ${escapeMarkdown(update.title)}`,
      `*${updateKindLabels[update.kind]} · ${update.publishedAt.slice(0, 10)}*`,
      ...escapeProse(update.body),
    ]),
    footer(ctx, 'updates'),
  ]);
}

export function renderFaqMarkdown(ctx: PageContext): string {
  const { faq } = ctx.snapshot.content;
  return document([
    siteHeading(ctx),
    '## Frequently Asked Questions',
    faq.length === 0 ? 'No questions have been published yet.' : '',
    faq.flatMap((item) => [`### ${escapeMarkdown(item.question)}`, ...escapeProse(item.answer)]),
    footer(ctx, 'faq'),
  ]);
}
