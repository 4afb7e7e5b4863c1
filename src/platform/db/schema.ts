/** The schema index: every table the ORM knows, gathered from the modules that own them. */
export * from '../../modules/content/content.schema.js';
export * from '../../modules/publishing/publishing.schema.js';
export * from '../../modules/tenants/tenants.schema.js';
