import { bigint, boolean, date, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { accessLevels, documentCategories } from './documents.contract.js';

export type DocumentCategory = (typeof documentCategories)[number];
export type AccessLevel = (typeof accessLevels)[number];

/** A document of the trust center; its files are the versions, newest is current. */
export const documents = pgTable('documents', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  title: text('title').notNull(),
  description: text('description').notNull(),
  category: text('category', { enum: documentCategories }).notNull(),
  accessLevel: text('access_level', { enum: accessLevels }).notNull(),
  expiresOn: date('expires_on', { mode: 'string' }),
  createdBy: text('created_by').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

/** One uploaded file of a document. The bytes live encrypted in the blob store under blob_id. */
export const documentVersions = pgTable('document_versions', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  documentId: uuid('document_id').notNull(),
  version: integer('version').notNull(),
  blobId: uuid('blob_id').notNull(),
  filename: text('filename').notNull(),
  mediaType: text('media_type').notNull(),
  sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
  sha256: text('sha256').notNull(),
  uploadedBy: text('uploaded_by').notNull(),
  uploadedAt: timestamp('uploaded_at', { withTimezone: true }).notNull(),
});

/** Every download: who (actor, and the grant for visitors), which version, when. Append-only. */
export const documentDownloads = pgTable('document_downloads', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  documentId: uuid('document_id').notNull(),
  versionId: uuid('version_id').notNull(),
  version: integer('version').notNull(),
  grantId: uuid('grant_id'),
  actorKind: text('actor_kind').notNull(),
  actorId: text('actor_id').notNull(),
  watermarked: boolean('watermarked').notNull(),
  client: text('client'),
  downloadedAt: timestamp('downloaded_at', { withTimezone: true }).notNull(),
});
