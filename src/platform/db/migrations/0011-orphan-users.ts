/**
 * Deleting a tenant deletes the accounts of its people who belong to no other trust center
 * (e-mail address, password hash, sealed second factor): the platform role, which already creates
 * and disables users, may now delete them. Their memberships, sessions and recovery codes cascade.
 */
export const sql = /* sql */ `
GRANT DELETE ON users TO attest_platform;
`;
