import type { PublicEvidenceList } from '../modules/evidence/evidence.contract.js';
import { escapeMarkdown } from '../platform/text/markdown-escape.js';
import {
  checkedAtLabel,
  EVIDENCE_INTRO,
  evidenceStatusLabels,
  factLabel,
  factValue,
} from './pages/evidence-page.js';
import type { PageContext } from './pages/layout.js';
import { pagePaths } from './pages/paths.js';

/** /evidence.json: the results as the API shapes them, plus the published controls each backs. */
export function evidenceJson(list: PublicEvidenceList): string {
  return `${JSON.stringify(list, null, 2)}\n`;
}

/** /evidence.md: the same content as the HTML page, tenant text escaped like every Markdown view. */
export function renderEvidenceMarkdown(ctx: PageContext, list: PublicEvidenceList): string {
  const paths = pagePaths(ctx.basePath, 'evidence');
  const blocks = [
    `# ${escapeMarkdown(ctx.snapshot.content.profile.companyName)} Trust Center`,
    '## Live evidence',
    EVIDENCE_INTRO,
    list.items.length === 0
      ? 'No checks have results to show yet.'
      : `Last run: ${list.lastRunAt ? checkedAtLabel(list.lastRunAt) : 'never'}`,
    ...list.items.flatMap((item) => [
      `### ${escapeMarkdown(item.title)}`,
      `**${evidenceStatusLabels[item.status]}**${item.failingSince ? ` since ${checkedAtLabel(item.failingSince)}` : ''} · Checked ${checkedAtLabel(item.checkedAt)}`,
      escapeMarkdown(item.summary),
      Object.entries(item.facts)
        .map(([name, value]) => `- ${escapeMarkdown(factLabel(name))}: ${escapeMarkdown(factValue(value))}`)
        .join('\n'),
      `What is checked: ${escapeMarkdown(item.checks)}`,
      item.controls.length > 0
        ? `Backs: ${item.controls.map((control) => escapeMarkdown(control.title)).join(' · ')}`
        : '',
    ]),
    '---',
    `[HTML](${paths.html}) · [JSON](${paths.json})`,
    'Powered by Attest',
  ];
  return `${blocks.filter((block) => block.length > 0).join('\n\n')}\n`;
}
