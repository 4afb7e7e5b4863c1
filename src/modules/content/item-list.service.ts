import { asc, eq, max } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import type { ServiceContext } from '../../platform/auth/context.js';
import type { Database } from '../../platform/db/client.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { AppError } from '../../platform/errors.js';
import { patchOf } from '../../platform/validation/strings.js';
import { planOrder } from './ordering.js';

type OrderedTable = PgTable & { id: PgColumn; position: PgColumn; tenantId: PgColumn; updatedAt: PgColumn };

interface ItemListConfig<Table extends OrderedTable, Input extends z.ZodObject> {
  table: Table;
  input: Input;
  toItem(row: Table['$inferSelect']): { id: string; position: number } & z.infer<Input>;
}

/**
 * CRUD and ordering for a flat, ordered list of trust-center items (FAQ entries, subprocessors):
 * the same rules for each, so they live once. Tenant filtering is row-level security's job.
 */
export function createItemListService<Table extends OrderedTable, Input extends z.ZodObject>(
  { db }: { db: Database },
  config: ItemListConfig<Table, Input>,
) {
  type Item = ReturnType<typeof config.toItem>;
  const { table } = config;
  const updateInput = patchOf(config.input);
  // Drizzle's generic table types do not narrow inside a generic function; the casts stay here.
  // biome-ignore lint/suspicious/noExplicitAny: see above
  const anyTable = table as any;
  const run = tenantTransaction({
    db,
    errors: { codes: { '23505': 'content.key_taken', '23503': 'content.not_found' } },
  });

  return {
    async list(ctx: ServiceContext): Promise<Item[]> {
      ctx.require('content:read');
      return run(ctx, async (tx) => {
        const rows = await tx.select().from(anyTable).orderBy(asc(table.position));
        return rows.map((row) => config.toItem(row as Table['$inferSelect']));
      });
    },

    async get(ctx: ServiceContext, id: string): Promise<Item> {
      ctx.require('content:read');
      return run(ctx, async (tx) => {
        const [row] = await tx
          .select()
          .from(anyTable)
          .where(eq(table.id, z.uuid().parse(id)))
          .limit(1);
        if (!row) throw new AppError('content.not_found');
        return config.toItem(row as Table['$inferSelect']);
      });
    },

    async create(ctx: ServiceContext, input: z.input<Input>): Promise<Item> {
      ctx.require('content:write');
      const parsed = config.input.parse(input);
      return run(ctx, async (tx) => {
        const [last] = await tx.select({ value: max(table.position) }).from(anyTable);
        const position = ((last?.value as number | null) ?? -1) + 1;
        const [row] = (await tx
          .insert(anyTable)
          .values({ ...parsed, tenantId: ctx.tenantId, position })
          .returning()) as unknown[];
        return config.toItem(row as Table['$inferSelect']);
      });
    },

    async update(ctx: ServiceContext, id: string, input: Partial<z.input<Input>>): Promise<Item> {
      ctx.require('content:write');
      const parsed = updateInput.parse(input);
      return run(ctx, async (tx) => {
        const [row] = await tx
          .update(anyTable)
          .set({ ...parsed, updatedAt: new Date() })
          .where(eq(table.id, z.uuid().parse(id)))
          .returning();
        if (!row) throw new AppError('content.not_found');
        return config.toItem(row as Table['$inferSelect']);
      });
    },

    async remove(ctx: ServiceContext, id: string): Promise<void> {
      ctx.require('content:write');
      await run(ctx, async (tx) => {
        const deleted = await tx
          .delete(anyTable)
          .where(eq(table.id, z.uuid().parse(id)))
          .returning({ id: table.id });
        if (deleted.length === 0) throw new AppError('content.not_found');
      });
    },

    async reorder(ctx: ServiceContext, ids: string[]): Promise<void> {
      ctx.require('content:write');
      await run(ctx, async (tx) => {
        const existing = await tx.select({ id: table.id }).from(anyTable);
        const order = planOrder(
          existing.map((row) => String(row.id)),
          ids,
        );
        for (const [id, position] of order) {
          await tx.update(anyTable).set({ position }).where(eq(table.id, id));
        }
      });
    },
  };
}
