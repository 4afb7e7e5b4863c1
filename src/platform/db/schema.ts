/** The schema index: every table the ORM knows, gathered from the modules that own them. */
export * from '../../modules/accounts/accounts.schema.js';
export * from '../../modules/api-keys/api-keys.schema.js';
export * from '../../modules/audit/audit.schema.js';
export * from '../../modules/content/content.schema.js';
export * from '../../modules/publishing/publishing.schema.js';
export * from '../../modules/sessions/sessions.schema.js';
export * from '../../modules/tenants/tenants.schema.js';
export * from '../auth/signing-keys.schema.js';
