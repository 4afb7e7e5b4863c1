import { evidenceChecks } from '../../modules/evidence/evidence.contract.js';
import { controlEvidenceOf, type PublishedControl } from '../../modules/publishing/snapshot.contract.js';

export interface EvidenceLink {
  check: string;
  title: string;
  /** The check's entry on the public evidence page, e.g. '/t/demo/evidence#tenant-isolation'. */
  url: string;
}

/**
 * Where each check that backs a control shows its latest result. Static, from the snapshot alone:
 * the pages that link here are cached per snapshot, so the live result stays on the evidence page.
 */
export function evidenceLinks(basePath: string, control: PublishedControl): EvidenceLink[] {
  const base = basePath.replace(/\/+$/, '');
  return controlEvidenceOf(control).map((check) => ({
    check,
    title: evidenceChecks[check].title,
    url: `${base}/evidence#${check}`,
  }));
}
