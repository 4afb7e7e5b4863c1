import type { PublishedCategory, PublishedControl } from '../modules/publishing/snapshot.contract.js';
import { certificationBadges, todayOf } from './pages/certification-badges.js';
import { controlProof } from './pages/control-proof.js';
import type { PageContext } from './pages/layout.js';
import { overviewSections } from './pages/overview-sections.js';
import { type PageName, pagePaths } from './pages/paths.js';
import { countByStatus, countControls, publishedAtIso, publishedOn } from './pages/presentation.js';
import { changeSentence, objectionContact, upcomingChanges } from './pages/upcoming-changes.js';
import { countFailingVerification, failingVerification, hostChecksOf } from './pages/verification.js';

/*
 * The public pages as JSON. Every field is copied by name rather than spread, so a field added to
 * the snapshot later is not published by accident: it has to be added here on purpose.
 */

function envelope(ctx: PageContext) {
  const { snapshot } = ctx;
  return {
    trustCenter: { name: snapshot.content.tenant.name, slug: snapshot.content.tenant.slug },
    version: snapshot.version,
    publishedAt: publishedAtIso(snapshot),
  };
}

function links(ctx: PageContext, page: PageName) {
  const paths = pagePaths(ctx.basePath, page);
  return { html: paths.html, markdown: paths.markdown };
}

/** Only when there are badges (each with its published report), judged on the day served. */
function certificationsJson(ctx: PageContext) {
  const badges = certificationBadges(ctx.basePath, ctx.snapshot.content, todayOf(ctx));
  return badges.length > 0
    ? {
        certifications: badges.map((badge) => ({
          name: badge.name,
          auditor: badge.auditor,
          scope: badge.scope,
          validFrom: badge.validFrom,
          validUntil: badge.validUntil,
          state: badge.state,
          report: {
            title: badge.report.title,
            accessLevel: badge.report.accessLevel,
            url: badge.report.url,
            sha256: badge.report.sha256,
          },
        })),
      }
    : {};
}

export function overviewJson(ctx: PageContext) {
  const { profile, categories, subprocessors, faq } = ctx.snapshot.content;
  return {
    ...envelope(ctx),
    profile: {
      companyName: profile.companyName,
      tagline: profile.tagline,
      intro: profile.intro,
      securityContact: profile.securityContact,
    },
    totalControls: countControls(categories),
    categories: categories.map((category) => ({
      key: category.key,
      name: category.name,
      controlCount: category.controls.length,
    })),
    subprocessorCount: subprocessors.length,
    faqCount: faq.length,
    ...certificationsJson(ctx),
    sections: overviewSections(ctx.snapshot.content).map((section) => ({
      page: section.page,
      title: section.title,
      summary: section.stat,
      detail: section.detail,
      count: section.count,
      url: pagePaths(ctx.basePath, section.page).json,
    })),
    links: {
      ...links(ctx, 'overview'),
      security: pagePaths(ctx.basePath, 'security').json,
      subprocessors: pagePaths(ctx.basePath, 'subprocessors').json,
      faq: pagePaths(ctx.basePath, 'faq').json,
    },
  };
}

/**
 * Each kind only for a control that has some, like the snapshot. A control with checks also says
 * whether its evidence holds now: `status` stays what was published; `verification.status`
 * 'failing' is what the HTML page shows in its place ("verification failing since …").
 */
function evidenceJson(ctx: PageContext, control: PublishedControl) {
  const proof = controlProof(ctx.basePath, ctx.snapshot.content, control);
  const verification = failingVerification(control, ctx);
  const hostChecks = hostChecksOf(control, ctx);
  // Host checks by name and kind only: their targets are the tenant's private addresses.
  const failingHostChecks =
    hostChecks.length > 0
      ? {
          failingHostChecks: (verification?.hostChecks ?? []).map((check) => ({
            name: check.name,
            kind: check.kind,
            failingSince: check.failingSince,
          })),
        }
      : {};
  return {
    ...(proof.checks.length > 0
      ? {
          evidence: proof.checks.map((link) => ({ check: link.check, title: link.title, url: link.url })),
        }
      : {}),
    ...(hostChecks.length > 0
      ? {
          hostChecks: hostChecks.map((check) => ({
            name: check.name,
            kind: check.kind,
            status: check.status,
            failingSince: check.failingSince,
          })),
        }
      : {}),
    ...(proof.checks.length > 0 || hostChecks.length > 0
      ? {
          verification: verification
            ? {
                status: 'failing' as const,
                failingSince: verification.since,
                failingChecks: verification.checks.map((check) => ({
                  check: check.check,
                  title: check.title,
                  failingSince: check.failingSince,
                })),
                ...failingHostChecks,
              }
            : { status: 'holding' as const, failingSince: null, failingChecks: [], ...failingHostChecks },
        }
      : {}),
    ...(proof.documents.length > 0
      ? {
          documents: proof.documents.map((document) => ({
            id: document.id,
            title: document.title,
            accessLevel: document.accessLevel,
            url: document.url,
          })),
        }
      : {}),
    ...(proof.artifacts.length > 0
      ? {
          artifacts: proof.artifacts.map((artifact) => ({
            title: artifact.title,
            url: artifact.url,
            path: artifact.path,
          })),
        }
      : {}),
    ...(proof.attestation
      ? {
          attestation: {
            statement: proof.attestation.statement,
            attestedBy: proof.attestation.attestedBy,
            attestedOn: proof.attestation.attestedOn,
          },
        }
      : {}),
  };
}

function categoryJson(category: PublishedCategory, ctx: PageContext) {
  return {
    key: category.key,
    name: category.name,
    description: category.description,
    controlCount: category.controls.length,
    controls: category.controls.map((control) => ({
      key: control.key,
      title: control.title,
      description: control.description,
      status: control.status,
      lastReviewedOn: control.lastReviewedOn,
      frameworks: control.frameworks.map((reference) => ({
        framework: reference.framework,
        reference: reference.reference,
      })),
      ...evidenceJson(ctx, control),
    })),
  };
}

export function securityJson(ctx: PageContext) {
  const { categories } = ctx.snapshot.content;
  return {
    ...envelope(ctx),
    totalControls: countControls(categories),
    statusCounts: countByStatus(categories),
    verificationFailing: countFailingVerification(categories, ctx),
    categories: categories.map((category) => categoryJson(category, ctx)),
    links: links(ctx, 'security'),
  };
}

export function subprocessorsJson(ctx: PageContext) {
  const { content } = ctx.snapshot;
  return {
    ...envelope(ctx),
    asOf: publishedOn(ctx.snapshot),
    upcomingChanges: upcomingChanges(content).map((change) => ({
      id: change.id,
      kind: change.kind,
      effectiveOn: change.effectiveOn,
      announcedOn: change.announcedOn,
      description: changeSentence(content, change),
      summary: change.summary,
      removes: change.subprocessorKey,
      adds: change.subprocessor && {
        key: change.subprocessor.key,
        name: change.subprocessor.name,
        legalEntity: change.subprocessor.legalEntity,
        purpose: change.subprocessor.purpose,
        dataProcessed: change.subprocessor.dataProcessed,
        location: change.subprocessor.location,
        transferSafeguards: change.subprocessor.transferSafeguards,
        website: change.subprocessor.website,
      },
    })),
    objectionContact: objectionContact(content)?.text ?? null,
    subprocessors: ctx.snapshot.content.subprocessors.map((subprocessor) => ({
      key: subprocessor.key,
      name: subprocessor.name,
      legalEntity: subprocessor.legalEntity,
      purpose: subprocessor.purpose,
      dataProcessed: subprocessor.dataProcessed,
      location: subprocessor.location,
      transferSafeguards: subprocessor.transferSafeguards,
      website: subprocessor.website,
    })),
    links: links(ctx, 'subprocessors'),
  };
}

export function faqJson(ctx: PageContext) {
  return {
    ...envelope(ctx),
    faq: ctx.snapshot.content.faq.map((item) => ({
      key: item.key,
      question: item.question,
      answer: item.answer,
    })),
    links: links(ctx, 'faq'),
  };
}
