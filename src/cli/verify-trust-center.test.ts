import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CompactSign, calculateJwkThumbprint } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../test/support/app.js';
import { testDatabaseKinds } from '../../test/support/databases.js';
import { DEMO_SLUG, seedDemo } from '../modules/demo/demo.js';
import { TRUST_MANIFEST_JWS_TYPE, type TrustManifest } from '../modules/trust/trust.contract.js';
import { systemContext } from '../platform/auth/context.js';
import type { Config } from '../platform/config.js';
import { canonicalJson } from '../platform/crypto/canonical-json.js';
import { withTenant } from '../platform/db/tenancy.js';
import { createLocalBlobStore } from '../platform/storage/local-blob-store.js';
import { createServices } from '../services.js';
import { commands } from './commands.js';
import { DEFAULT_MAX_AGE_HOURS, type VerifyOptions, verifyTrustCenter } from './verify-trust-center.js';

const OWNER = { email: 'owner@verify.example', password: 'a quiet unusual harbour 6620' };
const HOUR_MS = 3_600_000;

type Override = (original: {
  status: number;
  body: Buffer;
}) => { status: number; body: Buffer | string } | 'hang';

/**
 * A reverse proxy in front of the real app that can replace what chosen paths answer: the
 * tampered trust centers a verifier must refuse, served over real HTTP.
 */
async function tamperingProxy(origin: string, overrides: Record<string, Override>) {
  const server = http.createServer(async (request, response) => {
    const upstream = await fetch(`${origin}${request.url}`, {
      headers: { host: request.headers.host ?? '' },
    });
    const original = { status: upstream.status, body: Buffer.from(await upstream.arrayBuffer()) };
    const override = overrides[request.url ?? ''];
    const answer = override ? override(original) : original;
    if (answer === 'hang') return; // never answers
    response.writeHead(answer.status, { 'content-type': 'application/json' });
    response.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe.each(testDatabaseKinds)('attest verify against a running trust center on $name', (kind) => {
  const holder = useTestApp(kind);
  let origin = '';
  let tenantId = '';
  const blobs = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-verify-blobs-'));
  const proxies: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    const { app, sealer } = holder;
    const seeded = await seedDemo(
      {
        services: app.services,
        db: app.db,
        servicesOn: (db) => createServices({ db, sealer, blobs: createLocalBlobStore(blobs) }),
      },
      OWNER,
    );
    tenantId = seeded?.tenant.id ?? '';
    // The worker's run: every check the demo names, then a manifest that carries the results.
    await app.services.evidence.runForTenant(tenantId);
    await app.services.trust.refresh(tenantId);
    await app.server.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(app.server.server.address() as AddressInfo).port}`;
  }, 120_000);

  afterAll(async () => {
    for (const proxy of proxies.splice(0)) await proxy.close();
    fs.rmSync(blobs, { recursive: true, force: true });
  });

  async function verify(url: string, options: Partial<VerifyOptions> = {}) {
    const lines: string[] = [];
    const verified = await verifyTrustCenter(
      url,
      { maxAgeHours: DEFAULT_MAX_AGE_HOURS, timeoutMs: 5_000, ...options },
      (line) => lines.push(line),
    );
    return { verified, lines, text: lines.join('\n') };
  }

  async function proxied(overrides: Record<string, Override>) {
    const proxy = await tamperingProxy(origin, overrides);
    proxies.push(proxy);
    return `${proxy.url}/t/${DEMO_SLUG}`;
  }

  const get = async (url: string) => {
    const response = await fetch(`${origin}${url}`);
    return {
      status: response.status,
      text: await response.text(),
      type: response.headers.get('content-type'),
    };
  };
  const current = async () => JSON.parse((await get(`/t/${DEMO_SLUG}/trust.json`)).text) as TrustManifest;

  it('verifies the demo: signature, the whole chain, the content hash and fresh evidence', async () => {
    const manifest = await current();
    expect(manifest.number).toBeGreaterThan(2);
    expect(manifest.evidence.length).toBeGreaterThan(5);
    const { verified, lines, text } = await verify(`${origin}/t/${DEMO_SLUG}`);
    expect(text).not.toContain('FAIL');
    expect(verified).toBe(true);
    expect(text).toContain(`ok    the current manifest: signature valid, key ${manifest.keyId}`);
    expect(text).toContain(`ok    chain complete: ${manifest.number - 1} link(s) back to manifest 1`);
    expect(text).toContain(`ok    content of version ${manifest.snapshot.version}: SHA-256 matches`);
    expect(text).toContain(
      `ok    freshness: the manifest is of the published version ${manifest.snapshot.version}`,
    );
    expect(lines.filter((line) => line.startsWith('ok    evidence '))).toHaveLength(manifest.evidence.length);
    expect(lines.at(-1)).toBe('Verified.');
  });

  it('as a command: exit code 0 when verified, 1 when not, 2 for bad usage', async () => {
    const config = {} as Config;
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      expect(await commands.verify?.([`${origin}/t/${DEMO_SLUG}`], config)).toBe(0);
      expect(await commands.verify?.([`${origin}/t/${DEMO_SLUG}`, '--at', '1'], config)).toBe(0);
      expect(await commands.verify?.([`${origin}/t/nobody-here`], config)).toBe(1);
    } finally {
      process.stdout.write = write;
    }
    await expect(commands.verify?.([], config)).rejects.toThrow(/one URL/);
    await expect(commands.verify?.(['ftp://example.test/t/x'], config)).rejects.toThrow(/http/);
    await expect(commands.verify?.([origin, '--at', '-1'], config)).rejects.toThrow(/--at/);
    await expect(commands.verify?.([origin, '--at', '99999999999'], config)).rejects.toThrow(/--at/);
  });

  it('verifies an old manifest with --at, whose content is no longer published', async () => {
    const { verified, text } = await verify(`${origin}/t/${DEMO_SLUG}`, { at: 1 });
    expect(verified).toBe(true);
    expect(text).toContain('ok    manifest 1: signature valid');
    expect(text).toContain('content of version 1 is not published now');
    expect(text).toContain('ok    chain complete: 0 link(s) back to manifest 1');
    expect(text).toContain('freshness not checked');
  });

  it('follows only as many links as --chain says', async () => {
    const manifest = await current();
    const { verified, text } = await verify(`${origin}/t/${DEMO_SLUG}`, { chain: 1 });
    expect(verified).toBe(true);
    expect(text).toContain(
      `ok    chain: manifest ${manifest.number} → ${manifest.number - 1} (hash matches)`,
    );
    expect(text).toContain(`chain followed 1 link(s) back, to manifest ${manifest.number - 1} (--chain 1)`);
    expect(text).not.toContain('chain complete');
  });

  it('proves an old version from a saved copy of its content, and refuses a changed copy', async () => {
    const { app } = holder;
    const version = (await current()).snapshot.version;
    const saved = path.join(blobs, `content-${version}.json`);
    fs.writeFileSync(saved, (await get(`/t/${DEMO_SLUG}/trust/content/${version}.json`)).text);
    const at = (await current()).number;
    // A publish later, the saved version is no longer served, and the copy is what proves it.
    const ctx = systemContext(tenantId);
    const published = await withTenant(app.db, tenantId, (tx) =>
      app.services.publishing.republishIn(tx, ctx, (content) => ({
        ...content,
        faq: content.faq.slice(0, -1),
      })),
    );
    app.services.publishing.notifyPublished(tenantId, published?.version ?? 0);
    expect((await get(`/t/${DEMO_SLUG}/trust/content/${version}.json`)).status).toBe(404);
    const proven = await verify(`${origin}/t/${DEMO_SLUG}`, { at, contentFile: saved });
    expect(proven.text).toContain(`ok    content of version ${version} (from ${saved}): SHA-256 matches`);
    expect(proven.verified).toBe(true);
    fs.writeFileSync(saved, fs.readFileSync(saved, 'utf8').replace('"implemented"', '"planned"'));
    const changed = await verify(`${origin}/t/${DEMO_SLUG}`, { at, contentFile: saved });
    expect(changed.verified).toBe(false);
    expect(changed.text).toContain(`FAIL  content of version ${version} (from ${saved}): SHA-256`);
  });

  it('fails on a manifest changed after it was signed', async () => {
    const url = await proxied({
      [`/t/${DEMO_SLUG}/trust.json`]: ({ body }) => ({
        status: 200,
        body: body.toString('utf8').replace('"status":"pass"', '"status":"fail"'),
      }),
    });
    const { verified, text } = await verify(url);
    expect(verified).toBe(false);
    expect(text).toContain('is not what was signed');
  });

  it('fails on a signature whose payload was swapped for a changed manifest', async () => {
    const url = await proxied({
      [`/t/${DEMO_SLUG}/trust.json.jws`]: ({ body }) => {
        const [header, payload, signature] = body.toString('utf8').split('.');
        const changed = Buffer.from(payload ?? '', 'base64url')
          .toString('utf8')
          .replace('"pass"', '"fail"');
        return { status: 200, body: `${header}.${Buffer.from(changed).toString('base64url')}.${signature}` };
      },
      [`/t/${DEMO_SLUG}/trust.json`]: ({ body }) => ({
        status: 200,
        body: body.toString('utf8').replace('"pass"', '"fail"'),
      }),
    });
    const { verified, text } = await verify(url);
    expect(verified).toBe(false);
    expect(text).toMatch(/the signature does not verify with key/);
  });

  it('fails on a manifest signed with a key that is not in the tenant key set', async () => {
    const manifest = await current();
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const { x } = publicKey.export({ format: 'jwk' });
    const kid = await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: x ?? '' });
    const forged = canonicalJson({ ...manifest, keyId: kid, evidence: [] });
    const jws = await new CompactSign(new TextEncoder().encode(forged))
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: TRUST_MANIFEST_JWS_TYPE })
      .sign(privateKey);
    const url = await proxied({
      [`/t/${DEMO_SLUG}/trust.json`]: () => ({ status: 200, body: forged }),
      [`/t/${DEMO_SLUG}/trust.json.jws`]: () => ({ status: 200, body: jws }),
    });
    const { verified, text } = await verify(url);
    expect(verified).toBe(false);
    expect(text).toContain(`signed with key ${kid}, which is not in the tenant's key set`);
  });

  it('fails on a broken chain: an earlier manifest replaced by another validly signed one', async () => {
    const manifest = await current();
    const before = manifest.number - 1;
    const older = async (suffix: string) =>
      Buffer.from((await get(`/t/${DEMO_SLUG}/trust/${before - 1}.json${suffix}`)).text);
    const [olderJson, olderJws] = [await older(''), await older('.jws')];
    const url = await proxied({
      [`/t/${DEMO_SLUG}/trust/${before}.json`]: () => ({ status: 200, body: olderJson }),
      [`/t/${DEMO_SLUG}/trust/${before}.json.jws`]: () => ({ status: 200, body: olderJws }),
    });
    const { verified, text } = await verify(url);
    expect(verified).toBe(false);
    expect(text).toContain(
      `chain broken: manifest ${before} is not the one manifest ${manifest.number} names`,
    );
  });

  it('fails on a missing link of the chain and on content that does not match its hash', async () => {
    const manifest = await current();
    const url = await proxied({
      [`/t/${DEMO_SLUG}/trust/1.json`]: () => ({ status: 404, body: '' }),
      [`/t/${DEMO_SLUG}/trust/content/${manifest.snapshot.version}.json`]: ({ body }) => ({
        status: 200,
        body: body.toString('utf8').replace('Attest', 'Attest!'),
      }),
    });
    const { verified, text } = await verify(url);
    expect(verified).toBe(false);
    expect(text).toContain('chain broken at manifest 2: manifest 1 does not verify');
    expect(text).toMatch(/content of version \d+: SHA-256 [0-9a-f]{64}, the manifest says/);
  });

  it('fails on stale evidence and on a manifest that is not of the version the trust center shows', async () => {
    const stale = await verify(`${origin}/t/${DEMO_SLUG}`, {
      now: () => new Date(Date.now() + 49 * HOUR_MS),
    });
    expect(stale.verified).toBe(false);
    expect(stale.text).toMatch(
      /FAIL {2}evidence [a-z-]+: checked 49\.\d h ago, older than 48 h \(result: \w+\)/,
    );
    const url = await proxied({
      [`/t/${DEMO_SLUG}/overview.json`]: ({ body }) => {
        const overview = JSON.parse(body.toString('utf8')) as { version: number };
        return { status: 200, body: JSON.stringify({ ...overview, version: overview.version + 1 }) };
      },
    });
    const behind = await verify(url);
    expect(behind.verified).toBe(false);
    expect(behind.text).toMatch(
      /freshness: the manifest names version (\d+), the trust center shows version \d+/,
    );
  });

  it('bounds what it fetches: a huge answer and a server that never answers fail cleanly', async () => {
    const huge = await proxied({
      [`/t/${DEMO_SLUG}/trust/jwks.json`]: () => ({ status: 200, body: Buffer.alloc(2 * 1024 * 1024, 32) }),
    });
    const tooBig = await verify(huge);
    expect(tooBig.verified).toBe(false);
    expect(tooBig.text).toContain('larger than 1048576 bytes');
    const silent = await proxied({ [`/t/${DEMO_SLUG}/trust/jwks.json`]: () => 'hang' });
    const started = Date.now();
    const timedOut = await verify(silent, { timeoutMs: 300 });
    expect(timedOut.verified).toBe(false);
    expect(timedOut.text).toContain('no answer within 300 ms');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('keeps verifying the whole chain after the signing key is rotated', async () => {
    const { app } = holder;
    const before = await current();
    const ctx = systemContext(tenantId);
    const rotated = await app.services.trust.rotateKey(ctx);
    expect(rotated.retired).toEqual([before.keyId]);
    const published = await withTenant(app.db, tenantId, (tx) =>
      app.services.publishing.republishIn(tx, ctx, (content) => ({ ...content, faq: content.faq.slice(1) })),
    );
    expect(published?.changed).toBe(true);
    app.services.publishing.notifyPublished(tenantId, published?.version ?? 0);
    const after = await current();
    expect(after.keyId).toBe(rotated.kid);
    expect(after.previous?.number).toBe(before.number);
    const jwks = JSON.parse((await get(`/t/${DEMO_SLUG}/trust/jwks.json`)).text) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((key) => key.kid)).toEqual([rotated.kid, before.keyId]);
    const { verified, text } = await verify(`${origin}/t/${DEMO_SLUG}`);
    expect(text).not.toContain('FAIL');
    expect(verified).toBe(true);
    expect(text).toContain(`ok    manifest ${before.number}: signature valid, key ${before.keyId}`);
  });

  it('answers hostile paths with the public 404 page and serves the same files on a custom domain', async () => {
    for (const bad of [
      `/t/${DEMO_SLUG}/trust/0.json`,
      `/t/${DEMO_SLUG}/trust/abc.json`,
      `/t/${DEMO_SLUG}/trust/-1.json`,
      `/t/${DEMO_SLUG}/trust/1e3.json`,
      `/t/${DEMO_SLUG}/trust/01.json`,
      `/t/${DEMO_SLUG}/trust/999999999.json`,
      `/t/${DEMO_SLUG}/trust/99999999999999999999999999999.json.jws`,
      `/t/${DEMO_SLUG}/trust/1.json.jws.jws`,
      `/t/${DEMO_SLUG}/trust/content/1.json`,
      `/t/${DEMO_SLUG}/trust/content/x.json`,
      `/t/${DEMO_SLUG}/trust/content/99999999999999999.json`,
      '/t/No_Such!Slug/trust.json',
      '/t/nobody-here/trust/jwks.json',
      '/trust.json',
      '/trust/1.json',
    ]) {
      const response = await get(bad);
      expect(response.status, bad).toBe(404);
      expect(response.type, bad).toBe('text/html; charset=utf-8');
    }
    // Past the router's bound on a path segment: Fastify's own clean 400, before any handler.
    for (const overlong of [
      `/t/${DEMO_SLUG}/trust/${'9'.repeat(5000)}.json`,
      `/t/${'a'.repeat(300)}/trust.json.jws`,
    ]) {
      const response = await get(overlong);
      expect(response.status).toBe(400);
      expect(response.text).not.toContain('aaaa');
      expect(response.text).not.toContain('9999');
    }
    const own = await get(`/t/${DEMO_SLUG}/trust/1.json`);
    expect(own.status).toBe(200);
    expect(own.type).toBe('application/json; charset=utf-8');
    expect((await get(`/t/${DEMO_SLUG}/trust.json.jws`)).type).toBe('application/jose');

    const domain = 'trust.verify-demo.example';
    await holder.app.services.tenants.setCustomDomain(DEMO_SLUG, domain);
    const onDomain = (url: string) =>
      holder.app.server.inject({ method: 'GET', url, headers: { host: domain } });
    expect((await onDomain('/trust.json')).body).toBe((await get(`/t/${DEMO_SLUG}/trust.json`)).text);
    expect((await onDomain('/trust/1.json.jws')).body).toBe(
      (await get(`/t/${DEMO_SLUG}/trust/1.json.jws`)).text,
    );
    expect((await onDomain('/trust/jwks.json')).statusCode).toBe(200);
    expect((await onDomain(`/t/${DEMO_SLUG}/trust.json`)).statusCode).toBe(404);
    await holder.app.services.tenants.setCustomDomain(DEMO_SLUG, null);
  });

  it('answers a repeated request with 304 and lets caches keep a numbered manifest longer', async () => {
    const first = await fetch(`${origin}/t/${DEMO_SLUG}/trust.json`);
    const etag = first.headers.get('etag') ?? '';
    expect(first.headers.get('cache-control')).toBe('public, max-age=60');
    const again = await fetch(`${origin}/t/${DEMO_SLUG}/trust.json`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const numbered = await fetch(`${origin}/t/${DEMO_SLUG}/trust/1.json.jws`);
    expect(numbered.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(numbered.headers.get('etag')).not.toBe(etag);
    const head = await fetch(`${origin}/t/${DEMO_SLUG}/trust.json`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('publishes no secret and no personal datum: public keys only, no person, no evidence detail', async () => {
    const manifest = await current();
    const bodies = [
      (await get(`/t/${DEMO_SLUG}/trust.json`)).text,
      (await get(`/t/${DEMO_SLUG}/trust/1.json`)).text,
      (await get(`/t/${DEMO_SLUG}/trust/jwks.json`)).text,
      (await get(`/t/${DEMO_SLUG}/trust/content/${manifest.snapshot.version}.json`)).text,
    ];
    const jwks = JSON.parse(bodies[2] ?? '') as { keys: Record<string, unknown>[] };
    for (const key of jwks.keys)
      expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
    for (const body of bodies) {
      expect(body).not.toContain(OWNER.email);
      expect(body).not.toContain(tenantId);
      expect(body).not.toMatch(/"(d|publishedBy|summary|facts|sealed\w*)":/);
    }
    expect(Object.keys(manifest.evidence[0] ?? {}).sort()).toEqual(['check', 'checkedAt', 'status']);
  });
});
