/**
 * Master key rotation (`attest master-key rewrap`) re-seals tenants' data keys across tenants as
 * the platform role: it may change the sealed value, nothing else about a key.
 */
export const sql = /* sql */ `
GRANT UPDATE (sealed_key) ON tenant_keys TO attest_platform;
`;
