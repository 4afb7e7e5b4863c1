import { date, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { EvidenceCheckKey } from '../evidence/evidence.contract.js';
import { tenants } from '../tenants/tenants.schema.js';

/*
 * The draft content of a trust center. Every table carries tenant_id and is protected by forced
 * row-level security (see migrations); the public site never reads these tables, only snapshots.
 */

export const trustProfiles = pgTable('trust_profiles', {
  tenantId: uuid('tenant_id')
    .primaryKey()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  companyName: text('company_name').notNull(),
  tagline: text('tagline').notNull(),
  intro: text('intro').notNull(),
  securityContact: text('security_contact').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const controlCategories = pgTable('control_categories', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  key: text('key').notNull(),
  name: text('name').notNull(),
  description: text('description').notNull(),
  position: integer('position').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export interface FrameworkReference {
  framework: string;
  reference: string;
}

export interface ControlArtifactRow {
  title: string;
  href: string;
}

export interface ControlAttestationRow {
  statement: string;
  attestedBy: string;
  attestedOn: string;
}

export const controls = pgTable('controls', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  categoryId: uuid('category_id').notNull(),
  key: text('key').notNull(),
  title: text('title').notNull(),
  description: text('description').notNull(),
  status: text('status', { enum: ['implemented', 'in_progress', 'planned', 'not_applicable'] }).notNull(),
  position: integer('position').notNull(),
  lastReviewedOn: date('last_reviewed_on', { mode: 'string' }),
  reviewIntervalDays: integer('review_interval_days').notNull(),
  frameworkRefs: jsonb('framework_refs').$type<FrameworkReference[]>().notNull(),
  /** Keys of the live-evidence checks that back the control; may hold a key a newer version removed. */
  evidence: text('evidence').array().$type<EvidenceCheckKey[]>().notNull().default([]),
  /** Ids of the tenant's documents that prove the control (decision 0031). */
  documents: uuid('documents').array().notNull().default([]),
  /** Public artifacts: a link, or a path in the source repository. */
  artifacts: jsonb('artifacts').$type<ControlArtifactRow[]>().notNull().default([]),
  /** The company's own statement, with who attested it and when; null when there is none. */
  attestation: jsonb('attestation').$type<ControlAttestationRow | null>(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const faqEntries = pgTable('faq_entries', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  key: text('key').notNull(),
  question: text('question').notNull(),
  answer: text('answer').notNull(),
  position: integer('position').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const subprocessors = pgTable('subprocessors', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  key: text('key').notNull(),
  name: text('name').notNull(),
  legalEntity: text('legal_entity').notNull(),
  purpose: text('purpose').notNull(),
  dataProcessed: text('data_processed').notNull(),
  location: text('location').notNull(),
  transferSafeguards: text('transfer_safeguards').notNull(),
  website: text('website'),
  position: integer('position').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
