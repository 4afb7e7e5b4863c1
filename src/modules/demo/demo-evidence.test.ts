import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { trustCenterDocument } from '../content/content.contract.js';
import { evidenceCoverage } from '../content/coverage.contract.js';

/*
 * The demo describes Attest itself, and every implemented control says how it is evidenced
 * (decision 0031): by a live check, by files of this repository anyone can read, or by the
 * company's own statement. A repository path that does not exist would be an invented fact.
 */

const root = new URL('../../../', import.meta.url);
const demo = trustCenterDocument.parse(
  parse(readFileSync(new URL('./demo-trust-center.yaml', import.meta.url), 'utf8')),
);
const controls = demo.categories.flatMap((category) => category.controls);

/** The anchor GitHub and most Markdown viewers give a heading. */
function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

describe('the evidence of the demo trust center', () => {
  it('leaves no implemented control without evidence', () => {
    const coverage = evidenceCoverage(
      controls.map((control, index) => ({
        ...control,
        id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
        evidence: control.evidence ?? [],
        documents: control.documents ?? [],
        artifacts: control.artifacts ?? [],
        attestation: control.attestation ?? null,
      })),
      new Set(),
    );
    expect(coverage.unevidenced).toEqual([]);
    expect(coverage.machine + coverage.documentOrArtifact + coverage.statement).toBe(coverage.implemented);
    // Machine checks stay the strongest kind the demo uses for what a machine can check.
    expect(coverage.machine).toBeGreaterThanOrEqual(13);
  });

  it('names only files, folders and headings this repository has', () => {
    const paths = controls.flatMap((control) =>
      (control.artifacts ?? []).filter((artifact) => !/^https?:/.test(artifact.href)),
    );
    expect(paths.length).toBeGreaterThan(20);
    const missing: string[] = [];
    for (const { href } of paths) {
      const [path = '', anchor] = href.split('#');
      const file = new URL(path, root);
      if (!existsSync(file)) {
        missing.push(href);
        continue;
      }
      if (anchor) {
        const headings = readFileSync(file, 'utf8')
          .split('\n')
          .filter((line) => /^#{1,6} /.test(line))
          .map((line) => headingAnchor(line.replace(/^#+ /, '')));
        if (!headings.includes(anchor)) missing.push(href);
      }
    }
    expect(missing).toEqual([]);
  });

  it('gives every statement the company itself as who attested it, on the control’s review date', () => {
    const attested = controls.filter((control) => control.attestation);
    expect(attested.length).toBeGreaterThan(0);
    for (const control of attested) {
      expect(control.attestation?.attestedBy).toBe(demo.profile.companyName);
      expect(control.attestation?.attestedOn).toBe(control.lastReviewedOn);
    }
  });
});
