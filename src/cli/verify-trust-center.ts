import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import {
  TRUST_MANIFEST_JWS_TYPE,
  type TrustJwks,
  type TrustManifest,
  trustJwks,
  trustManifest,
} from '../modules/trust/trust.contract.js';
import { canonicalJson } from '../platform/crypto/canonical-json.js';

/*
 * `attest verify URL`: checks a signed trust center from the outside, with nothing but HTTP, the
 * way a reviewer would (decision 0029; docs/verifying-a-trust-center.md). It trusts no answer of
 * the server: every manifest's signature is checked against the tenant's key set, every link of
 * the chain by hash, the content by hash, and the evidence by age.
 */

export interface VerifyOptions {
  /** Verify manifest N instead of the current one (freshness is then not checked). */
  at?: number;
  /** How many links of the chain to follow back; all of them (up to MAX_CHAIN_LINKS) by default. */
  chain?: number;
  /** Evidence results older than this fail the freshness check. */
  maxAgeHours: number;
  /**
   * A saved copy of the content (trust/content/V.json as it was): compared with the manifest's
   * hash instead of what the server serves now, so an old version can be proven from a copy.
   */
  contentFile?: string;
  /** Per request. */
  timeoutMs: number;
  now?: () => Date;
}

export const DEFAULT_MAX_AGE_HOURS = 48;
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Without --chain: a server that claims a billion manifests cannot keep the verifier going for days. */
export const MAX_CHAIN_LINKS = 10_000;
const MAX_MANIFEST_BYTES = 1024 * 1024;
const MAX_CONTENT_BYTES = 16 * 1024 * 1024;

class FetchError extends Error {}

/** A GET that gives up after `timeoutMs` and past `maxBytes` (counted after decompression). */
async function fetchBounded(
  url: string,
  timeoutMs: number,
  maxBytes: number,
): Promise<{ status: number; body: Buffer }> {
  let response: Response;
  try {
    response = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { 'user-agent': 'attest-verify' },
    });
  } catch (error) {
    const reason =
      (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'unreachable';
    throw new FetchError(`${url}: ${reason}`);
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    return { status: response.status, body: Buffer.alloc(0) };
  }
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await response.body.cancel();
    throw new FetchError(`${url}: larger than ${maxBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body) {
      size += chunk.length;
      if (size > maxBytes) throw new FetchError(`${url}: larger than ${maxBytes} bytes`);
      chunks.push(Buffer.from(chunk));
    }
  } catch (error) {
    if (error instanceof FetchError) throw error;
    throw new FetchError(`${url}: the answer broke off or took longer than ${timeoutMs} ms`);
  }
  return { status: response.status, body: Buffer.concat(chunks) };
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

const sha256Hex = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** The trust center's base URL (…/t/acme or a custom domain's origin) and the slug it names, if any. */
export function trustCenterBase(input: string): { base: string; slug: string | null } {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new Error(`not a URL: ${input}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('the URL must be http(s)');
  const path = url.pathname.replace(/\/(trust\.json(\.jws)?)?$/, '').replace(/\/+$/, '');
  const slug = /^\/t\/([a-z0-9-]{1,63})$/.exec(path)?.[1] ?? null;
  return { base: `${url.origin}${path}`, slug };
}

interface Loaded {
  bytes: Buffer;
  manifest: TrustManifest;
  kid: string;
}

export async function verifyTrustCenter(
  input: string,
  options: VerifyOptions,
  write: (line: string) => void,
): Promise<boolean> {
  const now = options.now ?? (() => new Date());
  let failures = 0;
  const ok = (text: string) => write(`ok    ${text}`);
  const fail = (text: string) => {
    failures += 1;
    write(`FAIL  ${text}`);
  };
  const note = (text: string) => write(`-     ${text}`);
  const get = (url: string, maxBytes = MAX_MANIFEST_BYTES) => fetchBounded(url, options.timeoutMs, maxBytes);

  const { base, slug } = trustCenterBase(input);
  write(`Verifying the trust center at ${base}`);
  try {
    const jwks = await loadJwks(`${base}/trust/jwks.json`);
    if (!jwks) return finish();
    const current =
      options.at === undefined
        ? await loadManifest('the current manifest', `${base}/trust.json`, jwks)
        : await loadManifest(`manifest ${options.at}`, `${base}/trust/${options.at}.json`, jwks);
    if (!current) return finish();
    const { manifest } = current;
    if (options.at !== undefined && manifest.number !== options.at)
      fail(`trust/${options.at}.json is manifest ${manifest.number}, not ${options.at}`);
    if (slug !== null && manifest.tenant !== slug)
      fail(`the manifest is for trust center "${manifest.tenant}", not "${slug}"`);
    else
      ok(
        `manifest ${manifest.number} of "${manifest.tenant}", issued ${manifest.issuedAt} (${manifest.reason})`,
      );

    await checkContent(manifest);
    await checkChain(current, jwks);
    if (options.at === undefined) await checkFreshness(manifest);
    else note('freshness not checked: --at verifies what the trust center claimed then, not now');
  } catch (error) {
    if (!(error instanceof FetchError)) throw error;
    fail(error.message);
  }
  return finish();

  function finish(): boolean {
    write(failures === 0 ? 'Verified.' : `NOT verified: ${failures} check(s) failed.`);
    return failures === 0;
  }

  async function loadJwks(url: string): Promise<TrustJwks | null> {
    const { status, body } = await get(url);
    if (status !== 200) {
      fail(`the key set ${url} answered ${status}`);
      return null;
    }
    const parsed = trustJwks.safeParse(parseJson(body));
    if (!parsed.success) {
      fail(`the key set ${url} is not a set of Ed25519 public keys`);
      return null;
    }
    ok(`key set: ${parsed.data.keys.length} key(s) (${url})`);
    return parsed.data;
  }

  async function loadManifest(label: string, url: string, jwks: TrustJwks): Promise<Loaded | null> {
    const [json, jws] = [await get(url), await get(`${url}.jws`)];
    if (json.status !== 200 || jws.status !== 200) {
      fail(`${label}: ${url} answered ${json.status}, its signature ${jws.status}`);
      return null;
    }
    const compact = jws.body.toString('utf8').trim();
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(compact);
    } catch {
      fail(`${label}: the signature is not a compact JWS`);
      return null;
    }
    if (header.alg !== 'EdDSA' || header.typ !== TRUST_MANIFEST_JWS_TYPE) {
      fail(`${label}: the signature is not an EdDSA manifest signature (alg ${String(header.alg)})`);
      return null;
    }
    const jwk = jwks.keys.find((key) => key.kid === header.kid);
    if (!jwk) {
      fail(`${label}: signed with key ${String(header.kid)}, which is not in the tenant's key set`);
      return null;
    }
    let payload: Uint8Array;
    try {
      ({ payload } = await compactVerify(compact, await importJWK(jwk, 'EdDSA'), { algorithms: ['EdDSA'] }));
    } catch {
      fail(`${label}: the signature does not verify with key ${jwk.kid}`);
      return null;
    }
    if (!Buffer.from(payload).equals(json.body)) {
      fail(`${label}: ${url} is not what was signed (the signed manifest differs from the published one)`);
      return null;
    }
    const parsed = trustManifest.safeParse(parseJson(json.body));
    if (!parsed.success) {
      fail(`${label}: signed, but not a manifest of a known format`);
      return null;
    }
    if (parsed.data.keyId !== jwk.kid) {
      fail(`${label}: names key ${parsed.data.keyId} but was signed with ${jwk.kid}`);
      return null;
    }
    ok(`${label}: signature valid, key ${jwk.kid}`);
    return { bytes: json.body, manifest: parsed.data, kid: jwk.kid };
  }

  async function checkContent(manifest: TrustManifest) {
    const { version, contentSha256 } = manifest.snapshot;
    const url = `${base}/trust/content/${version}.json`;
    const { status, body } = options.contentFile
      ? await readSaved(options.contentFile)
      : await get(url, MAX_CONTENT_BYTES);
    const from = options.contentFile ? ` (from ${options.contentFile})` : '';
    if (status === 404) {
      note(
        `content of version ${version} is not published now (only the current version's is): hash not compared`,
      );
      return;
    }
    if (status !== 200) return fail(`content of version ${version}: ${url} answered ${status}`);
    const hash = sha256Hex(body);
    if (hash !== contentSha256)
      return fail(
        `content of version ${version}${from}: SHA-256 ${hash}, the manifest says ${contentSha256}`,
      );
    const value = parseJson(body);
    let canonical = false;
    try {
      canonical = value !== undefined && canonicalJson(value) === body.toString('utf8');
    } catch {}
    if (!canonical) return fail(`content of version ${version}: matches its hash but is not canonical JSON`);
    ok(
      `content of version ${version}${from}: SHA-256 matches (${contentSha256.slice(0, 16)}…, ${body.length} bytes)`,
    );
  }

  async function readSaved(file: string): Promise<{ status: number; body: Buffer }> {
    const stat = await fs.stat(file).catch(() => null);
    if (!stat?.isFile()) throw new FetchError(`${file}: no such file`);
    if (stat.size > MAX_CONTENT_BYTES)
      throw new FetchError(`${file}: larger than ${MAX_CONTENT_BYTES} bytes`);
    return { status: 200, body: await fs.readFile(file) };
  }

  async function checkChain(start: Loaded, jwks: TrustJwks) {
    let cursor = start;
    let links = 0;
    const limit = options.chain ?? MAX_CHAIN_LINKS;
    while (cursor.manifest.previous) {
      if (links >= limit) {
        note(
          `chain followed ${links} link(s) back, to manifest ${cursor.manifest.number} (--chain ${limit})`,
        );
        return;
      }
      const { number, sha256 } = cursor.manifest.previous;
      if (number !== cursor.manifest.number - 1)
        return fail(`chain: manifest ${cursor.manifest.number} names ${number} as the one before it`);
      const previous = await loadManifest(`manifest ${number}`, `${base}/trust/${number}.json`, jwks);
      if (!previous)
        return fail(`chain broken at manifest ${cursor.manifest.number}: manifest ${number} does not verify`);
      if (sha256Hex(previous.bytes) !== sha256)
        return fail(
          `chain broken: manifest ${number} is not the one manifest ${cursor.manifest.number} names (hash differs)`,
        );
      if (previous.manifest.number !== number)
        return fail(`chain broken: trust/${number}.json is manifest ${previous.manifest.number}`);
      if (
        previous.manifest.issuedAt > cursor.manifest.issuedAt ||
        previous.manifest.snapshot.version > cursor.manifest.snapshot.version
      )
        return fail(`chain broken: manifest ${number} is newer than manifest ${cursor.manifest.number}`);
      ok(`chain: manifest ${cursor.manifest.number} → ${number} (hash matches)`);
      cursor = previous;
      links += 1;
    }
    if (cursor.manifest.number !== 1)
      return fail(
        `chain: manifest ${cursor.manifest.number} names no manifest before it, yet is not the first`,
      );
    ok(`chain complete: ${links} link(s) back to manifest 1`);
  }

  async function checkFreshness(manifest: TrustManifest) {
    const { status, body } = await get(`${base}/overview.json`);
    const shown =
      status === 200 ? (parseJson(body) as { version?: unknown } | undefined)?.version : undefined;
    if (typeof shown !== 'number')
      fail(`freshness: ${base}/overview.json answered ${status} without a version`);
    else if (shown !== manifest.snapshot.version)
      fail(
        `freshness: the manifest names version ${manifest.snapshot.version}, the trust center shows version ${shown}`,
      );
    else ok(`freshness: the manifest is of the published version ${shown}`);
    const limitMs = options.maxAgeHours * 3_600_000;
    if (manifest.evidence.length === 0) note('no evidence checks are named by the published controls');
    for (const entry of manifest.evidence) {
      if (entry.status === null || entry.checkedAt === null) {
        fail(`evidence ${entry.check}: no result in the manifest`);
        continue;
      }
      const ageMs = now().getTime() - Date.parse(entry.checkedAt);
      const age = `${(ageMs / 3_600_000).toFixed(1)} h ago`;
      if (ageMs > limitMs)
        fail(
          `evidence ${entry.check}: checked ${age}, older than ${options.maxAgeHours} h (result: ${entry.status})`,
        );
      else ok(`evidence ${entry.check}: checked ${age} (result: ${entry.status})`);
    }
  }
}
