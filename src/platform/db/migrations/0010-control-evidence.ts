/**
 * Live evidence: a control names the machine checks that back it (src/modules/evidence). Which
 * keys exist is the application's to say (the list grows with the code); the database keeps the
 * list bounded and every entry key-shaped, so no client can store an unbounded or odd one.
 */
export const sql = /* sql */ `
ALTER TABLE controls ADD COLUMN evidence text[] NOT NULL DEFAULT '{}';
ALTER TABLE controls ADD CONSTRAINT controls_evidence_bounded CHECK (
  cardinality(evidence) <= 32
  AND array_position(evidence, NULL) IS NULL
  AND array_to_string(evidence, ' ') ~ '^([a-z0-9][a-z0-9-]{0,79}( |$))*$'
);
`;
