import { evidenceInUse } from '../../modules/evidence/evidence-in-use.js';
import type { SnapshotContent } from '../../modules/publishing/snapshot.contract.js';
import { type PageName, pagePaths } from './paths.js';
import { controlCountLabel, countControls, pluralize } from './presentation.js';

/** One section of the overview: a card in HTML, a heading in Markdown, an entry in JSON. */
export interface OverviewSection {
  page: PageName;
  title: string;
  /** The headline number, e.g. "39 Controls in 4 categories". */
  stat: string;
  detail: string;
  count: number;
}

function documentsSection(content: SnapshotContent): OverviewSection | null {
  const documents = content.documents ?? [];
  if (documents.length === 0) return null;
  const open = documents.filter((document) => document.accessLevel === 'public').length;
  const onRequest = documents.length - open;
  return {
    page: 'documents',
    title: 'Documents',
    stat: pluralize(documents.length, 'document'),
    detail: [open && `${open} to download`, onRequest && `${onRequest} on request, under NDA`]
      .filter(Boolean)
      .join(' · '),
    count: documents.length,
  };
}

function updatesSection(content: SnapshotContent): OverviewSection | null {
  const updates = content.updates ?? [];
  const latest = updates[0];
  if (!latest) return null;
  return {
    page: 'updates',
    title: 'Updates',
    stat: pluralize(updates.length, 'update'),
    detail: `Latest: ${latest.title} (${latest.publishedAt.slice(0, 10)})`,
    count: updates.length,
  };
}

function evidenceSection(content: SnapshotContent): OverviewSection | null {
  const inUse = evidenceInUse(content);
  if (inUse.size === 0) return null;
  const backed = new Set([...inUse.values()].flat().map((control) => control.title)).size;
  return {
    page: 'evidence',
    title: 'Live evidence',
    stat: `${pluralize(inUse.size, 'live check')} behind ${pluralize(backed, 'control')}`,
    detail: 'Machine checks of this installation, run every 15 minutes, with their latest results.',
    count: inUse.size,
  };
}

/**
 * What the overview summarises, in order, from the published snapshot only (so it is cached with
 * it): the security measures, then documents, updates and live evidence when there are any, then
 * subprocessors and FAQ. The HTML, JSON and Markdown overviews all read this one list.
 */
export function overviewSections(content: SnapshotContent): OverviewSection[] {
  const { categories, subprocessors, faq } = content;
  const sections: (OverviewSection | null)[] = [
    {
      page: 'security',
      title: 'Security Measures',
      stat: `${controlCountLabel(countControls(categories))} in ${pluralize(categories.length, 'category', 'categories')}`,
      detail: categories.map((category) => category.name).join(' · '),
      count: countControls(categories),
    },
    evidenceSection(content),
    documentsSection(content),
    {
      page: 'subprocessors',
      title: 'Subprocessors',
      stat: pluralize(subprocessors.length, 'subprocessor'),
      detail: 'Third parties that process data on our behalf, and where.',
      count: subprocessors.length,
    },
    updatesSection(content),
    {
      page: 'faq',
      title: 'FAQ',
      stat: pluralize(faq.length, 'question'),
      detail: 'Answers to common security and privacy questions.',
      count: faq.length,
    },
  ];
  return sections.filter((section): section is OverviewSection => section !== null);
}

export const sectionHref = (basePath: string, section: OverviewSection) => pagePaths(basePath, section.page);
