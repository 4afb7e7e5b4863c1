import { and, asc, count, eq, max, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { ServiceContext } from '../../platform/auth/context.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { tenantStatement } from '../../platform/db/tenancy.js';
import { tenantTransaction, translateTenantError } from '../../platform/db/tenant-transaction.js';
import { AppError } from '../../platform/errors.js';
import type { PageQuery } from '../../platform/http/api-route.js';
import { patchOf } from '../../platform/validation/strings.js';
import { evidenceCheckKeys } from '../evidence/evidence.contract.js';
import { type CategoryInput, type ControlInput, categoryInput, controlInput } from './content.contract.js';
import { controlCategories, controls } from './content.schema.js';
import { type ControlsListCache, createControlsListCache } from './controls-list-cache.js';
import {
  type ControlsFilter,
  type ControlsPageText,
  controlStatement,
  controlsPageStatement,
} from './controls-page.js';
import { type EvidenceCoverage, evidenceCoverage } from './coverage.contract.js';
import { planOrder } from './ordering.js';
import './content.errors.js';

export type CategoryRow = typeof controlCategories.$inferSelect;
export type ControlRow = typeof controls.$inferSelect;

export interface Category extends CategoryInput {
  id: string;
  position: number;
  controlCount: number;
}

export interface Control extends ControlInput {
  id: string;
  categoryId: string;
  position: number;
  updatedAt: Date;
}

export const controlCreateInput = controlInput.extend({ categoryId: z.uuid() });
export const controlUpdateInput = patchOf(controlCreateInput);
export const categoryUpdateInput = patchOf(categoryInput);

const knownChecks: ReadonlySet<string> = new Set(evidenceCheckKeys);

export function toControl(row: ControlRow): Control {
  return {
    id: row.id,
    categoryId: row.categoryId,
    key: row.key,
    title: row.title,
    description: row.description,
    status: row.status,
    position: row.position,
    lastReviewedOn: row.lastReviewedOn,
    reviewIntervalDays: row.reviewIntervalDays,
    frameworks: row.frameworkRefs,
    // A check that a later version no longer has is dropped, not shown as an unknown key.
    evidence: row.evidence.filter((key) => knownChecks.has(key)),
    documents: row.documents,
    artifacts: row.artifacts,
    attestation: row.attestation ?? null,
    updatedAt: row.updatedAt,
  };
}

function controlColumns(input: Partial<ControlInput> & { categoryId?: string }) {
  const { frameworks, ...rest } = input;
  return { ...rest, ...(frameworks ? { frameworkRefs: frameworks } : {}) };
}

async function nextPosition(tx: Tx, table: typeof controlCategories | typeof controls): Promise<number> {
  const [row] = await tx.select({ value: max(table.position) }).from(table);
  return (row?.value ?? -1) + 1;
}

/**
 * Of `ids`, those naming a document of the transaction's tenant (row-level security shows no
 * other). Handed in by the composition root: the documents module sits above this one.
 */
export type DocumentIdsLookup = (tx: Tx, ids: readonly string[]) => Promise<ReadonlySet<string>>;

const noDocuments: DocumentIdsLookup = async () => new Set();

/** A control may name only documents of its own tenant: any other id is not found (404). */
export async function requireDocuments(
  tx: Tx,
  lookup: DocumentIdsLookup,
  ids: readonly string[] | undefined,
): Promise<void> {
  if (!ids?.length) return;
  const found = await lookup(tx, ids);
  if (ids.some((id) => !found.has(id))) throw new AppError('content.document_not_found');
}

/** Control categories and the controls inside them: the "Security Measures" of a trust center. */
export function createControlsService({
  db,
  listCache = createControlsListCache(),
  documentIdsIn = noDocuments,
}: {
  db: Database;
  /** This process's copies of the API's controls lists (decision 0032). */
  listCache?: ControlsListCache;
  documentIdsIn?: DocumentIdsLookup;
}) {
  const run = tenantTransaction({
    db,
    errors: { codes: { '23505': 'content.key_taken', '23503': 'content.not_found' } },
  });

  return {
    async listCategories(ctx: ServiceContext): Promise<Category[]> {
      ctx.require('content:read');
      return run(ctx, async (tx) => {
        const rows = await tx
          .select({
            id: controlCategories.id,
            key: controlCategories.key,
            name: controlCategories.name,
            description: controlCategories.description,
            position: controlCategories.position,
            controlCount: count(controls.id),
          })
          .from(controlCategories)
          .leftJoin(controls, eq(controls.categoryId, controlCategories.id))
          .groupBy(controlCategories.id)
          .orderBy(asc(controlCategories.position));
        return rows.map((row) => ({ ...row, controlCount: Number(row.controlCount) }));
      });
    },

    async createCategory(ctx: ServiceContext, input: CategoryInput): Promise<Category> {
      ctx.require('content:write');
      const parsed = categoryInput.parse(input);
      return run(ctx, async (tx) => {
        const position = await nextPosition(tx, controlCategories);
        const [row] = await tx
          .insert(controlCategories)
          .values({ ...parsed, tenantId: ctx.tenantId, position })
          .returning();
        if (!row) throw new Error('category insert returned no row');
        return {
          id: row.id,
          key: row.key,
          name: row.name,
          description: row.description,
          position,
          controlCount: 0,
        };
      });
    },

    async updateCategory(ctx: ServiceContext, id: string, input: Partial<CategoryInput>): Promise<void> {
      ctx.require('content:write');
      const parsed = categoryUpdateInput.parse(input);
      await run(ctx, async (tx) => {
        const updated = await tx
          .update(controlCategories)
          .set({ ...parsed, updatedAt: new Date() })
          .where(eq(controlCategories.id, z.uuid().parse(id)))
          .returning({ id: controlCategories.id });
        if (updated.length === 0) throw new AppError('content.not_found');
      });
    },

    /** Deleting a category deletes its controls with it. */
    async deleteCategory(ctx: ServiceContext, id: string): Promise<void> {
      ctx.require('content:write');
      await run(ctx, async (tx) => {
        const deleted = await tx
          .delete(controlCategories)
          .where(eq(controlCategories.id, z.uuid().parse(id)))
          .returning({ id: controlCategories.id });
        if (deleted.length === 0) throw new AppError('content.not_found');
      });
    },

    async reorderCategories(ctx: ServiceContext, ids: string[]): Promise<void> {
      ctx.require('content:write');
      await run(ctx, async (tx) => {
        const existing = await tx.select({ id: controlCategories.id }).from(controlCategories);
        const order = planOrder(
          existing.map((row) => row.id),
          ids,
        );
        for (const [id, position] of order) {
          await tx.update(controlCategories).set({ position }).where(eq(controlCategories.id, id));
        }
      });
    },

    async listControls(ctx: ServiceContext, filter: { categoryId?: string } = {}): Promise<Control[]> {
      ctx.require('content:read');
      return run(ctx, async (tx) => {
        const rows = await tx
          .select({ control: controls })
          .from(controls)
          .innerJoin(controlCategories, eq(controls.categoryId, controlCategories.id))
          .where(filter.categoryId ? eq(controls.categoryId, z.uuid().parse(filter.categoryId)) : undefined)
          .orderBy(asc(controlCategories.position), asc(controls.position));
        return rows.map((row) => toControl(row.control));
      });
    },

    /**
     * One page of the filtered list, read and serialized in SQL (the API's hot list), or this
     * process's copy of it when PostgreSQL says the tenant's content has not changed since.
     */
    async listControlsPage(
      ctx: ServiceContext,
      filter: ControlsFilter,
      page: PageQuery,
    ): Promise<ControlsPageText> {
      ctx.require('content:read');
      const key = [ctx.tenantId, filter.categoryId, filter.status, filter.q, page.limit, page.offset].join(
        '\n',
      );
      const read = async (known: string | null) => {
        const [row] = await tenantStatement<{
          revision: string | null;
          total: number | null;
          items: string | null;
        }>(db, ctx.tenantId, controlsPageStatement(filter, page, known)).catch((error: unknown) =>
          translateTenantError(error),
        );
        return { revision: row?.revision ?? null, total: Number(row?.total ?? 0), items: row?.items ?? null };
      };
      let found = await read(listCache.revisionOf(key));
      if (found.items === null && found.revision !== null) {
        const cached = listCache.read(key, found.revision);
        if (cached) return cached;
        // Another request replaced or evicted the copy while this one asked: read the list itself.
        found = await read(null);
      }
      const items = found.items ?? '[]';
      if (found.revision !== null) listCache.write(key, found.revision, items, found.total);
      return { items, total: found.total };
    },

    /** One control as the API answers it, serialized in SQL (the API's hot one-item read). */
    async readControlJson(ctx: ServiceContext, id: string): Promise<string> {
      ctx.require('content:read');
      const [row] = await tenantStatement<{ item: string }>(
        db,
        ctx.tenantId,
        controlStatement(z.uuid().parse(id)),
      ).catch((error: unknown) => translateTenantError(error));
      if (!row) throw new AppError('content.not_found');
      return row.item;
    },

    async getControl(ctx: ServiceContext, id: string): Promise<Control> {
      ctx.require('content:read');
      return run(ctx, async (tx) => {
        const [row] = await tx
          .select()
          .from(controls)
          .where(eq(controls.id, z.uuid().parse(id)))
          .limit(1);
        if (!row) throw new AppError('content.not_found');
        return toControl(row);
      });
    },

    async createControl(ctx: ServiceContext, input: z.input<typeof controlCreateInput>): Promise<Control> {
      ctx.require('content:write');
      const parsed = controlCreateInput.parse(input);
      return run(ctx, async (tx) => {
        await requireDocuments(tx, documentIdsIn, parsed.documents);
        const [last] = await tx
          .select({ value: max(controls.position) })
          .from(controls)
          .where(eq(controls.categoryId, parsed.categoryId));
        const [row] = await tx
          .insert(controls)
          .values({
            ...controlColumns(parsed),
            tenantId: ctx.tenantId,
            position: (last?.value ?? -1) + 1,
          } as typeof controls.$inferInsert)
          .returning();
        if (!row) throw new Error('control insert returned no row');
        return toControl(row);
      });
    },

    async updateControl(
      ctx: ServiceContext,
      id: string,
      input: z.input<typeof controlUpdateInput>,
    ): Promise<Control> {
      ctx.require('content:write');
      const parsed = controlUpdateInput.parse(input);
      return run(ctx, async (tx) => {
        await requireDocuments(tx, documentIdsIn, parsed.documents);
        const [row] = await tx
          .update(controls)
          .set({ ...controlColumns(parsed), updatedAt: new Date() })
          .where(eq(controls.id, z.uuid().parse(id)))
          .returning();
        if (!row) throw new AppError('content.not_found');
        return toControl(row);
      });
    },

    async deleteControl(ctx: ServiceContext, id: string): Promise<void> {
      ctx.require('content:write');
      await run(ctx, async (tx) => {
        const deleted = await tx
          .delete(controls)
          .where(eq(controls.id, z.uuid().parse(id)))
          .returning({ id: controls.id });
        if (deleted.length === 0) throw new AppError('content.not_found');
      });
    },

    async reorderControls(ctx: ServiceContext, categoryId: string, ids: string[]): Promise<void> {
      ctx.require('content:write');
      await run(ctx, async (tx) => {
        const [category] = await tx
          .select({ id: controlCategories.id })
          .from(controlCategories)
          .where(eq(controlCategories.id, z.uuid().parse(categoryId)))
          .limit(1);
        if (!category) throw new AppError('content.not_found');
        const existing = await tx
          .select({ id: controls.id })
          .from(controls)
          .where(eq(controls.categoryId, category.id));
        const order = planOrder(
          existing.map((row) => row.id),
          ids,
        );
        for (const [id, position] of order) {
          await tx
            .update(controls)
            .set({ position })
            .where(and(eq(controls.id, id), eq(controls.categoryId, categoryId)));
        }
      });
    },

    /** How the implemented controls are evidenced (the console's coverage widget). */
    async evidenceCoverage(ctx: ServiceContext): Promise<EvidenceCoverage> {
      ctx.require('content:read');
      return run(ctx, async (tx) => {
        const rows = await tx
          .select({ control: controls })
          .from(controls)
          .innerJoin(controlCategories, eq(controls.categoryId, controlCategories.id))
          .orderBy(asc(controlCategories.position), asc(controls.position));
        const list = rows.map((row) => toControl(row.control));
        const existing = await documentIdsIn(
          tx,
          list.flatMap((control) => control.documents),
        );
        return evidenceCoverage(list, existing);
      });
    },

    /** Controls whose last review is older than their review interval (or that were never reviewed). */
    async listOverdueForReview(ctx: ServiceContext, today: string): Promise<Control[]> {
      ctx.require('content:read');
      return run(ctx, async (tx) => {
        const rows = await tx
          .select()
          .from(controls)
          .where(
            sql`${controls.lastReviewedOn} is null or ${controls.lastReviewedOn} + ${controls.reviewIntervalDays} < ${today}::date`,
          )
          .orderBy(asc(controls.lastReviewedOn));
        return rows.map(toControl);
      });
    },
  };
}

export type ControlsService = ReturnType<typeof createControlsService>;
