import { tenantIsolation } from './policy.js';

/**
 * The signed trust center (decision 0029). Each tenant has Ed25519 signing keys: the private key
 * sealed with the master key, the public one published in the tenant's key set, where retired keys
 * stay so that old manifests still verify. Each publish (and each change of the evidence results)
 * adds a manifest, numbered per tenant and chained by hash to the one before; manifests are
 * immutable like snapshots: "what did the trust center claim on a given day?"
 */
export const sql = /* sql */ `
CREATE TABLE trust_signing_keys (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  kid text NOT NULL CHECK (kid ~ '^[A-Za-z0-9_-]{43}$'),
  public_jwk jsonb NOT NULL CHECK (jsonb_typeof(public_jwk) = 'object'),
  private_key_sealed text NOT NULL CHECK (char_length(private_key_sealed) <= 1000),
  created_at timestamptz NOT NULL,
  retired_at timestamptz,
  PRIMARY KEY (tenant_id, kid)
);
-- One key signs at a time; a rotation retires it and adds the next.
CREATE UNIQUE INDEX trust_signing_keys_one_active ON trust_signing_keys (tenant_id) WHERE retired_at IS NULL;

CREATE TABLE trust_manifests (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  number integer NOT NULL CHECK (number >= 1),
  snapshot_version integer NOT NULL CHECK (snapshot_version >= 1),
  manifest text NOT NULL CHECK (octet_length(manifest) <= 1048576),
  manifest_sha256 text NOT NULL CHECK (manifest_sha256 ~ '^[0-9a-f]{64}$'),
  jws text NOT NULL CHECK (octet_length(jws) <= 1500000),
  kid text NOT NULL,
  issued_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, number),
  FOREIGN KEY (tenant_id, kid) REFERENCES trust_signing_keys (tenant_id, kid) ON DELETE CASCADE
);

CREATE FUNCTION attest_refuse_manifest_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'trust manifests are immutable' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER trust_manifests_immutable BEFORE UPDATE ON trust_manifests
  FOR EACH ROW EXECUTE FUNCTION attest_refuse_manifest_update();

${tenantIsolation('trust_signing_keys', 'SELECT, INSERT, UPDATE (retired_at, private_key_sealed)')}
${tenantIsolation('trust_manifests', 'SELECT, INSERT')}
`;
