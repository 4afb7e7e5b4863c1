/**
 * One attempt limit per person for every check of a TOTP or recovery code (the sign-in step,
 * turning the second factor on or off): wrong codes through a session count the same as wrong
 * codes at sign-in. Platform-side like users, since a person spans trust centers; the row goes
 * with its user.
 */
export const sql = /* sql */ `
CREATE TABLE second_factor_attempts (
  user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  failures integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
  last_failure_at timestamptz NOT NULL DEFAULT now(),
  blocked_until timestamptz
);
ALTER TABLE second_factor_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE second_factor_attempts FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_manages_second_factor_attempts ON second_factor_attempts TO attest_platform
  USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON second_factor_attempts TO attest_platform;
`;
