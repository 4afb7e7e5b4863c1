import { and, asc, count, eq, notInArray, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { ServiceContext } from '../../platform/auth/context.js';
import { type Clock, systemClock } from '../../platform/clock.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { AppError } from '../../platform/errors.js';
import { type PageQuery, pageQuery, pageResult } from '../../platform/http/api-route.js';
import { patchOf, text } from '../../platform/validation/strings.js';
import type { AuditAction } from '../audit/audit.contract.js';
import { auditLog } from '../audit/audit.service.js';
import type { PublishedAnswer } from '../publishing/snapshot.contract.js';
import {
  type KnowledgeEntry,
  type KnowledgeEntryInput,
  knowledgeEntryInput,
  MAX_KNOWLEDGE_ENTRIES,
  visibility,
} from './knowledge-base.contract.js';
import { knowledgeBaseEntries } from './knowledge-base.schema.js';
import './knowledge-base.errors.js';

type EntryRow = typeof knowledgeBaseEntries.$inferSelect;

export const knowledgeEntryPatch = patchOf(knowledgeEntryInput);

export const knowledgeEntriesQuery = pageQuery.extend({
  visibility: visibility.optional(),
  q: text(100).optional().describe('Matches question or answer, ignoring case.'),
});
export type KnowledgeEntriesQuery = z.infer<typeof knowledgeEntriesQuery>;

function toInput(row: EntryRow): KnowledgeEntryInput {
  return {
    key: row.key,
    question: row.question,
    answer: row.answer,
    shortAnswer: row.shortAnswer ?? null,
    owner: row.owner,
    lastReviewedOn: row.lastReviewedOn,
    reviewIntervalDays: row.reviewIntervalDays,
    references: row.refs,
    visibility: row.visibility,
  };
}

function toEntry(row: EntryRow): KnowledgeEntry {
  return { id: row.id, ...toInput(row), updatedAt: row.updatedAt.toISOString() };
}

/** An entry's columns: `references` is stored as `refs`. */
function columnsOf(input: KnowledgeEntryInput) {
  const { references, ...fields } = input;
  return { ...fields, refs: references };
}

function patchColumnsOf(input: Partial<KnowledgeEntryInput>) {
  const { references, ...fields } = input;
  return { ...fields, ...(references ? { refs: references } : {}) };
}

/** Every entry of the tenant in key order, inside the caller's tenant transaction (export, answers). */
export async function readKnowledgeBase(tx: Tx): Promise<KnowledgeEntryInput[]> {
  const rows = await tx.select().from(knowledgeBaseEntries).orderBy(asc(knowledgeBaseEntries.key));
  return rows.map(toInput);
}

/**
 * The public section of a snapshot: entries marked public, without owner or review dates. NDA-only
 * and internal entries never enter a snapshot, so nothing public can show them. Absent when none.
 */
export async function readKnowledgeBaseSections(tx: Tx): Promise<{ answers?: PublishedAnswer[] }> {
  const rows = await tx
    .select()
    .from(knowledgeBaseEntries)
    .where(eq(knowledgeBaseEntries.visibility, 'public'))
    .orderBy(asc(knowledgeBaseEntries.key));
  // undefined rather than a missing key: a republish spreads this over the last snapshot's content.
  if (rows.length === 0) return { answers: undefined };
  return {
    answers: rows.map((row) => ({
      key: row.key,
      question: row.question,
      answer: row.answer,
      shortAnswer: row.shortAnswer ?? null,
    })),
  };
}

/** Makes the knowledge base equal to `entries`, matched by key (a trust-center import). */
export async function replaceKnowledgeBase(
  tx: Tx,
  tenantId: string,
  entries: readonly KnowledgeEntryInput[],
): Promise<void> {
  const keys = entries.map((entry) => entry.key);
  await tx
    .delete(knowledgeBaseEntries)
    .where(keys.length ? notInArray(knowledgeBaseEntries.key, keys) : undefined);
  for (const entry of entries) {
    const values = columnsOf(entry);
    await tx
      .insert(knowledgeBaseEntries)
      .values({ ...values, tenantId })
      .onConflictDoUpdate({
        target: [knowledgeBaseEntries.tenantId, knowledgeBaseEntries.key],
        set: { ...values, updatedAt: new Date() },
      });
  }
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/**
 * The knowledge base: question-and-answer entries a tenant answers questionnaires from. Every
 * change is audited in its own transaction; tenant filtering is row-level security's job.
 */
export function createKnowledgeBaseService({ db, clock = systemClock }: { db: Database; clock?: Clock }) {
  const run = tenantTransaction<AuditAction>({
    db,
    clock,
    audit: auditLog,
    errors: { codes: { '23505': 'knowledge_base.key_taken' } },
  });

  function byId(id: string): SQL {
    const parsed = z.uuid().safeParse(id);
    if (!parsed.success) throw new AppError('knowledge_base.not_found');
    return eq(knowledgeBaseEntries.id, parsed.data);
  }

  return {
    /** One page of entries in key order, optionally filtered, read in SQL. */
    async list(ctx: ServiceContext, input: Partial<KnowledgeEntriesQuery> = {}) {
      ctx.require('content:read');
      const query = knowledgeEntriesQuery.parse(input);
      const pattern = query.q ? `%${escapeLike(query.q)}%` : null;
      const where = and(
        query.visibility ? eq(knowledgeBaseEntries.visibility, query.visibility) : undefined,
        pattern
          ? sql`(${knowledgeBaseEntries.question} ILIKE ${pattern} OR ${knowledgeBaseEntries.answer} ILIKE ${pattern})`
          : undefined,
      );
      return run(ctx, async (tx) => {
        const [counted] = await tx.select({ total: count() }).from(knowledgeBaseEntries).where(where);
        const rows = await tx
          .select()
          .from(knowledgeBaseEntries)
          .where(where)
          .orderBy(asc(knowledgeBaseEntries.key))
          .limit(query.limit)
          .offset(query.offset);
        return pageResult(rows.map(toEntry), Number(counted?.total ?? 0), query as PageQuery);
      });
    },

    async get(ctx: ServiceContext, id: string): Promise<KnowledgeEntry> {
      ctx.require('content:read');
      const where = byId(id);
      return run(ctx, async (tx) => {
        const [row] = await tx.select().from(knowledgeBaseEntries).where(where).limit(1);
        if (!row) throw new AppError('knowledge_base.not_found');
        return toEntry(row);
      });
    },

    async create(ctx: ServiceContext, input: z.input<typeof knowledgeEntryInput>): Promise<KnowledgeEntry> {
      ctx.require('content:write');
      const parsed = knowledgeEntryInput.parse(input);
      return run(ctx, async (tx, audit) => {
        const [counted] = await tx.select({ total: count() }).from(knowledgeBaseEntries);
        if (Number(counted?.total ?? 0) >= MAX_KNOWLEDGE_ENTRIES) throw new AppError('knowledge_base.full');
        const [row] = await tx
          .insert(knowledgeBaseEntries)
          .values({ ...columnsOf(parsed), tenantId: ctx.tenantId })
          .returning();
        if (!row) throw new Error('knowledge-base insert returned no row');
        await audit.record(
          'knowledge_base.created',
          { type: 'knowledge_base_entry', id: row.id },
          {
            key: row.key,
            visibility: row.visibility,
          },
        );
        return toEntry(row);
      });
    },

    async update(
      ctx: ServiceContext,
      id: string,
      input: z.input<typeof knowledgeEntryPatch>,
    ): Promise<KnowledgeEntry> {
      ctx.require('content:write');
      const where = byId(id);
      const parsed = knowledgeEntryPatch.parse(input);
      return run(ctx, async (tx, audit) => {
        const [row] = await tx
          .update(knowledgeBaseEntries)
          .set({ ...patchColumnsOf(parsed), updatedAt: clock() })
          .where(where)
          .returning();
        if (!row) throw new AppError('knowledge_base.not_found');
        await audit.record(
          'knowledge_base.updated',
          { type: 'knowledge_base_entry', id: row.id },
          {
            fields: Object.keys(parsed).sort(),
          },
        );
        return toEntry(row);
      });
    },

    async remove(ctx: ServiceContext, id: string): Promise<void> {
      ctx.require('content:write');
      const where = byId(id);
      await run(ctx, async (tx, audit) => {
        const [row] = await tx
          .delete(knowledgeBaseEntries)
          .where(where)
          .returning({ id: knowledgeBaseEntries.id, key: knowledgeBaseEntries.key });
        if (!row) throw new AppError('knowledge_base.not_found');
        await audit.record(
          'knowledge_base.deleted',
          { type: 'knowledge_base_entry', id: row.id },
          {
            key: row.key,
          },
        );
      });
    },
  };
}

export type KnowledgeBaseService = ReturnType<typeof createKnowledgeBaseService>;
