import { integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { accessRequestStatuses } from './access.contract.js';

export type AccessRequestStatus = (typeof accessRequestStatuses)[number];

/** The tenant's NDA, one row per version; the text a visitor accepts is identified by its SHA-256. */
export const ndaTexts = pgTable('nda_texts', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  version: integer('version').notNull(),
  body: text('body').notNull(),
  sha256: text('sha256').notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

/** How requests are decided: by e-mail domain automatically, otherwise by staff. */
export const accessRules = pgTable('access_rules', {
  tenantId: uuid('tenant_id').primaryKey(),
  autoApproveDomains: text('auto_approve_domains').array().notNull(),
  autoDenyDomains: text('auto_deny_domains').array().notNull(),
  grantDays: integer('grant_days').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

export const accessRequests = pgTable('access_requests', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  name: text('name').notNull(),
  email: text('email').notNull(),
  company: text('company').notNull(),
  reason: text('reason').notNull(),
  documentIds: uuid('document_ids').array().notNull(),
  status: text('status', { enum: accessRequestStatuses }).notNull(),
  decisionSource: text('decision_source', { enum: ['rule', 'staff'] }),
  decidedBy: text('decided_by'),
  decidedAt: timestamp('decided_at', { withTimezone: true }),
  client: text('client'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

/** Who accepted which NDA text (by version and SHA-256), when, and from which network. */
export const ndaAcceptances = pgTable('nda_acceptances', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  requestId: uuid('request_id').notNull(),
  ndaTextId: uuid('nda_text_id').notNull(),
  ndaVersion: integer('nda_version').notNull(),
  ndaSha256: text('nda_sha256').notNull(),
  name: text('name').notNull(),
  email: text('email').notNull(),
  company: text('company').notNull(),
  client: text('client'),
  acceptedAt: timestamp('accepted_at', { withTimezone: true }).notNull(),
});

/** Access to some gated documents until expires_at, opened through a single-use link (hash kept). */
export const accessGrants = pgTable('access_grants', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  requestId: uuid('request_id').notNull(),
  email: text('email').notNull(),
  company: text('company').notNull(),
  documentIds: uuid('document_ids').array().notNull(),
  linkTokenHash: text('link_token_hash').notNull(),
  linkUsedAt: timestamp('link_used_at', { withTimezone: true }),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
  createdBy: text('created_by').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

/** A visitor's browser session, opened by a grant's link; valid exactly as long as its grant. */
export const visitorSessions = pgTable('visitor_sessions', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  grantId: uuid('grant_id').notNull(),
  tokenHash: text('token_hash').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  client: text('client'),
});
