import { asc, notInArray } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Tx } from '../../platform/db/client.js';
import type { TrustCenterDocument } from './content.contract.js';
import { controlCategories, controls, faqEntries, subprocessors } from './content.schema.js';
import { toControl } from './controls.service.js';
import { readProfile, writeProfile } from './profile.service.js';

/*
 * The draft as one document, read and written inside a caller's tenant transaction. Used by
 * publishing (read) and by trust-center-as-code import (write). Items are matched by their key, so
 * an import keeps the ids of items it updates and the history that hangs off them.
 */

export async function readDraft(tx: Tx, tenantId: string): Promise<TrustCenterDocument> {
  const profile = await readProfile(tx, tenantId);
  const categoryRows = await tx.select().from(controlCategories).orderBy(asc(controlCategories.position));
  const controlRows = await tx.select().from(controls).orderBy(asc(controls.position));
  const faqRows = await tx.select().from(faqEntries).orderBy(asc(faqEntries.position));
  const subprocessorRows = await tx.select().from(subprocessors).orderBy(asc(subprocessors.position));
  return {
    version: 1,
    profile: {
      companyName: profile.companyName,
      tagline: profile.tagline,
      intro: profile.intro,
      securityContact: profile.securityContact,
    },
    categories: categoryRows.map((category) => ({
      key: category.key,
      name: category.name,
      description: category.description,
      controls: controlRows
        .filter((row) => row.categoryId === category.id)
        .map((row) => {
          const {
            id: _id,
            categoryId: _category,
            position: _position,
            updatedAt: _updated,
            evidence,
            documents,
            artifacts,
            attestation,
            ...control
          } = toControl(row);
          // Each kind of evidence is written only when there is some, so files stay as they were.
          return {
            ...control,
            ...(evidence.length > 0 ? { evidence } : {}),
            ...(documents.length > 0 ? { documents } : {}),
            ...(artifacts.length > 0 ? { artifacts } : {}),
            ...(attestation ? { attestation } : {}),
          };
        }),
    })),
    faq: faqRows.map(({ key, question, answer }) => ({ key, question, answer })),
    subprocessors: subprocessorRows.map(
      ({ key, name, legalEntity, purpose, dataProcessed, location, transferSafeguards, website }) => ({
        key,
        name,
        legalEntity,
        purpose,
        dataProcessed,
        location,
        transferSafeguards,
        website,
      }),
    ),
  };
}

async function deleteMissing(tx: Tx, table: PgTable & { key: PgColumn }, keys: string[]): Promise<void> {
  await tx.delete(table).where(keys.length ? notInArray(table.key, keys) : undefined);
}

const now = () => new Date();

/** Makes the draft equal to `document`: upserts by key, deletes what the document no longer names. */
export async function replaceDraft(tx: Tx, tenantId: string, document: TrustCenterDocument): Promise<void> {
  await writeProfile(tx, tenantId, document.profile);

  const allControls = document.categories.flatMap((category) => category.controls);
  // Controls first: a control that moves to another category must not be cascaded away with its old one.
  await deleteMissing(
    tx,
    controls,
    allControls.map((control) => control.key),
  );
  await deleteMissing(
    tx,
    controlCategories,
    document.categories.map((category) => category.key),
  );

  for (const [position, category] of document.categories.entries()) {
    const values = { key: category.key, name: category.name, description: category.description, position };
    await tx
      .insert(controlCategories)
      .values({ ...values, tenantId })
      .onConflictDoUpdate({
        target: [controlCategories.tenantId, controlCategories.key],
        set: { ...values, updatedAt: now() },
      });
  }
  const categoryIds = new Map(
    (await tx.select({ id: controlCategories.id, key: controlCategories.key }).from(controlCategories)).map(
      (row) => [row.key, row.id],
    ),
  );

  for (const category of document.categories) {
    const categoryId = categoryIds.get(category.key);
    if (!categoryId) throw new Error(`category ${category.key} vanished during import`);
    for (const [position, control] of category.controls.entries()) {
      const { frameworks, evidence, documents, artifacts, attestation, ...fields } = control;
      // A control the document gives no evidence has none: the draft becomes equal to the document.
      const values = {
        ...fields,
        frameworkRefs: frameworks,
        evidence: evidence ?? [],
        documents: documents ?? [],
        artifacts: artifacts ?? [],
        attestation: attestation ?? null,
        categoryId,
        position,
      };
      await tx
        .insert(controls)
        .values({ ...values, tenantId })
        .onConflictDoUpdate({
          target: [controls.tenantId, controls.key],
          set: { ...values, updatedAt: now() },
        });
    }
  }

  await deleteMissing(
    tx,
    faqEntries,
    document.faq.map((entry) => entry.key),
  );
  for (const [position, entry] of document.faq.entries()) {
    const values = { ...entry, position };
    await tx
      .insert(faqEntries)
      .values({ ...values, tenantId })
      .onConflictDoUpdate({
        target: [faqEntries.tenantId, faqEntries.key],
        set: { ...values, updatedAt: now() },
      });
  }

  await deleteMissing(
    tx,
    subprocessors,
    document.subprocessors.map((entry) => entry.key),
  );
  for (const [position, entry] of document.subprocessors.entries()) {
    const values = { ...entry, position };
    await tx
      .insert(subprocessors)
      .values({ ...values, tenantId })
      .onConflictDoUpdate({
        target: [subprocessors.tenantId, subprocessors.key],
        set: { ...values, updatedAt: now() },
      });
  }
}
