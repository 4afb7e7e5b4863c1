/** The schema index: every table the ORM knows, gathered from the modules that own them. */
export * from '../../modules/accounts/accounts.schema.js';
export * from '../../modules/api-keys/api-keys.schema.js';
export * from '../../modules/audit/audit.schema.js';
export * from '../../modules/content/content.schema.js';
export * from '../../modules/documents/access.schema.js';
export * from '../../modules/documents/documents.schema.js';
export * from '../../modules/notices/notices.schema.js';
export * from '../../modules/publishing/publishing.schema.js';
export * from '../../modules/sessions/sessions.schema.js';
export * from '../../modules/subprocessor-changes/subprocessor-changes.schema.js';
export * from '../../modules/subscribers/subscribers.schema.js';
export * from '../../modules/tenants/tenants.schema.js';
export * from '../../modules/updates/updates.schema.js';
export * from '../auth/signing-keys.schema.js';
export * from '../crypto/tenant-keys.schema.js';
export * from '../http/form-rate-limit.schema.js';
export * from '../mail/mail.schema.js';
